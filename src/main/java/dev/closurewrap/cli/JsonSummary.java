package dev.closurewrap.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.bundle.ProgressListener.Outcome;
import dev.closurewrap.bundle.ProgressSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The {@code --json} result of a wrap job, printed on standard output when it ends:
 * <pre>
 * {"status": "ok", "durationSeconds": 12.345,
 *  "files": {"total": 5000, "rewritten": 4000, "unchanged": 900, "resumed": 100, "excluded": 0, "failed": 0},
 *  "bytes": 2147483648, "phases": [{"phase": "scan", "seconds": 2.3, "finished": true}, ...],
 *  "failures": [{"path": "...", "reason": "..."}], "warnings": []}
 * </pre>
 * The job adds its own fields (roots, mode, output) to the object before it is printed.
 */
final class JsonSummary {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonSummary() {}

    static ObjectNode toJson(ProgressSummary s) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", s.failures().isEmpty() ? "ok" : "some-files-failed");
        root.put("durationSeconds", seconds(s.duration()));
        ObjectNode files = root.putObject("files");
        files.put("total", s.filesDone() + s.failures().size());
        for (Outcome o : Outcome.values()) {
            files.put(o.label(), s.count(o));
        }
        files.put("failed", s.failures().size());
        root.put("bytes", s.bytes());
        ArrayNode phases = root.putArray("phases");
        for (ProgressSummary.PhaseTime p : s.phases()) {
            ObjectNode n = phases.addObject();
            n.put("phase", p.phase().label());
            n.put("finished", p.duration().isPresent());
            if (p.duration().isPresent()) {
                n.put("seconds", seconds(p.duration().get()));
            } else {
                n.putNull("seconds");
            }
        }
        ArrayNode failures = root.putArray("failures");
        for (ProgressSummary.Failure f : s.failures()) {
            failures.addObject().put("path", f.path()).put("reason", f.reason());
        }
        ArrayNode warnings = root.putArray("warnings");
        s.warnings().forEach(warnings::add);
        return root;
    }

    static void print(PrintWriter out, ObjectNode summary) throws IOException {
        out.println(MAPPER.writeValueAsString(summary));
        out.flush();
    }

    /** Milliseconds as exact decimal seconds: {@code 12.345}, never {@code 12.345000000000001}. */
    private static BigDecimal seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3);
    }
}
