package dev.closurewrap.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.FileRecord;
import dev.closurewrap.checkpoint.FileState;
import dev.closurewrap.checkpoint.JobRecord;
import dev.closurewrap.checkpoint.JobStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Where a checkpointed job stands: its command, files per state, the first failures. Works while the job runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show where the job in a --state directory stands.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--state", paramLabel = "DIR", required = true, description = "The job's checkpoint directory.")
    Path state;

    @Option(names = "--json", description = "Print JSON for machines.")
    boolean json;

    @Option(names = "--failures", paramLabel = "N", defaultValue = "20",
            description = "List at most N failed files (default: ${DEFAULT-VALUE}).")
    int failureLimit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        JobStatus status = CheckpointStore.readStatus(state, Math.max(0, failureLimit));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(status)));
        } else {
            printText(out, status);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void printText(PrintWriter out, JobStatus status) {
        out.println("state:    " + state);
        if (status.job().isEmpty()) {
            out.println("job:      none recorded");
        } else {
            JobRecord job = status.job().get();
            out.println("job:      " + job.describe());
            out.println("started:  " + Instant.ofEpochMilli(job.startedAtMillis()) + " by closure-wrap " + job.toolVersion());
        }
        out.println("finished: " + (status.finished() ? "yes" : "no"));
        StringBuilder counts = new StringBuilder();
        for (FileState.Kind kind : FileState.Kind.values()) {
            counts.append(counts.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", status.count(kind)))
                    .append(' ').append(kind.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        out.println(String.format(Locale.ROOT, "files:    %,d: ", status.total()) + counts);
        out.println(String.format(Locale.ROOT, "reusable: %,d results", status.reusableResults()));
        if (!status.failures().isEmpty()) {
            long failed = status.count(FileState.Kind.FAILED);
            out.println("failed" + (failed > status.failures().size() ? " (first " + status.failures().size() + " of " + failed + ")" : "") + ":");
            for (FileRecord record : status.failures()) {
                out.println("  " + record.path() + ": " + ((FileState.Failed) record.state()).reason());
            }
        }
    }

    private ObjectNode toJson(JobStatus status) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("state", state.toString());
        if (status.job().isPresent()) {
            JobRecord job = status.job().get();
            ObjectNode j = root.putObject("job");
            ArrayNode roots = j.putArray("roots");
            job.roots().forEach(roots::add);
            j.put("mode", job.mode());
            j.put("output", job.output());
            j.put("optionsHash", job.optionsHash().hex());
            j.put("toolVersion", job.toolVersion());
            j.put("startedAt", Instant.ofEpochMilli(job.startedAtMillis()).toString());
        } else {
            root.putNull("job");
        }
        root.put("finished", status.finished());
        root.put("total", status.total());
        ObjectNode counts = root.putObject("counts");
        for (FileState.Kind kind : FileState.Kind.values()) {
            counts.put(kind.name().toLowerCase(Locale.ROOT), status.count(kind));
        }
        root.put("reusableResults", status.reusableResults());
        ArrayNode failures = root.putArray("failures");
        for (FileRecord record : status.failures()) {
            ObjectNode f = failures.addObject();
            f.put("path", record.path().toString());
            f.put("reason", ((FileState.Failed) record.state()).reason());
        }
        return root;
    }
}
