package dev.closurewrap.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.closurewrap.bundle.ConfigLoader;
import dev.closurewrap.bundle.OutputForm;
import dev.closurewrap.bundle.Sinks;
import dev.closurewrap.bundle.ProgressSummary;
import dev.closurewrap.bundle.WrapConfig;
import dev.closurewrap.bundle.WrapJob;
import dev.closurewrap.bundle.WrapRequest;
import dev.closurewrap.bundle.WrapResult;
import dev.closurewrap.plan.Action;
import dev.closurewrap.plan.FilePlan;
import dev.closurewrap.plan.JobPlan;
import dev.closurewrap.plan.PlanJson;
import dev.closurewrap.store.StoreDirSource;
import java.io.PrintWriter;
import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** The main job: rewrite a whole closure, relative or absolute. */
@Command(name = "closure-wrap",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {
            "Rewrite every ELF object of a Nix closure so that its DT_NEEDED entries are",
            "$ORIGIN-relative paths (--relative) or absolute paths (--absolute)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:some files could not be rewritten (listed)",
            "2:usage error, or the --state directory is held by another job",
            "3:bad input (names the file and offset)",
            "4:internal error"
        })
final class WrapCommand implements Callable<Integer> {
    /**
     * The sub-commands. {@link Main} registers them only when the command line may name one or
     * asks for help: building their models is a third of picocli's start-up, which the main job
     * does not need.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(InspectCommand.class, GraphCommand.class, VerifyCommand.class,
            PatchCommand.class, NarCommand.class, StatusCommand.class);

    static final class Mode {
        @Option(names = "--relative", required = true,
                description = "DT_NEEDED becomes $ORIGIN/<path>: the tree runs from anywhere.")
        boolean relative;

        @Option(names = "--absolute", required = true,
                description = "DT_NEEDED becomes the absolute path of the library: no search at all.")
        boolean absolute;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode;

    @Option(names = "--prefix", paramLabel = "DIR",
            description = "Absolute mode: the directory the store paths sit in at run time (default: the source store dir).")
    Path prefix;

    @Option(names = "--in-place",
            description = "Absolute mode: edit the files of the one ROOT directory where they are (a build output, "
                    + "a copy of a store path), resolving against the store; no -o.")
    boolean inPlace;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "A directory, *.tar[.gz|.xz|.zst], *.nar[.xz|.zst] or file://DIR.")
    String output;

    @Option(names = "--state", paramLabel = "DIR",
            description = "Checkpoint database; run again to resume (default: the state-dir setting, OUT.closure-wrap-state).")
    Path state;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel rewrites (default: the jobs setting, all cores).")
    Integer jobs;

    @Option(names = "--hardlink", negatable = true,
            description = "Directory output: hard-link files that need no change instead of copying them "
                    + "(default: the hardlink setting, off).")
    Boolean hardlink;

    @Option(names = {"-n", "--dry-run"},
            description = "Scan, resolve and plan, report what would change, write nothing.")
    boolean dryRun;

    @Option(names = "--show-config",
            description = "Print the settings this command line would run with (files, --option and flags applied) and exit.")
    boolean showConfig;

    @Mixin
    ConfigOptions config;

    @Mixin
    ReportingOptions reporting;

    @Parameters(paramLabel = "ROOT", arity = "0..*",
            description = "Store path, NAR, export stream, binary cache directory or host ELF.")
    List<String> roots;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Reads the configuration files for this process; tests replace it. */
    ConfigLoader loader = ConfigLoader.forEnvironment(System.getenv());

    @Override
    public Integer call() throws IOException {
        if (reporting.verbose && reporting.quiet) {
            throw new ParameterException(spec.commandLine(), "--verbose and --quiet contradict each other");
        }
        if (showConfig) {
            spec.commandLine().getOut().print(effectiveConfig().toConfigText());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        if (mode == null && (roots == null || roots.isEmpty())) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return ExitCodes.USAGE;
        }
        if (mode == null) {
            throw new ParameterException(spec.commandLine(), "Missing mode: give --relative or --absolute");
        }
        if (roots == null || roots.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Missing ROOT");
        }
        if (prefix != null && !mode.absolute) {
            throw new ParameterException(spec.commandLine(), "--prefix is for --absolute");
        }
        if (prefix != null && !prefix.isAbsolute()) {
            throw new ParameterException(spec.commandLine(), "--prefix must be an absolute path, got " + prefix);
        }
        // Settings are read (and a bad file reported) before anything else happens.
        WrapConfig settings = effectiveConfig();
        if (inPlace && (!mode.absolute || output != null || roots.size() != 1)) {
            throw new ParameterException(spec.commandLine(), "--in-place takes --absolute, one ROOT directory and no -o");
        }
        if (output == null && !dryRun && !inPlace) {
            throw new ParameterException(spec.commandLine(), "Missing -o OUT (or give --dry-run)");
        }
        Optional<Path> state = dryRun || inPlace ? Optional.empty() : stateDir(settings);
        if (output != null) {
            checkOutput(state);
        }
        WrapRequest request = new WrapRequest(roots, mode.relative ? dev.closurewrap.plan.Mode.RELATIVE : dev.closurewrap.plan.Mode.ABSOLUTE,
                Optional.ofNullable(prefix).map(p -> p.toAbsolutePath().normalize()), Optional.ofNullable(output), state,
                dryRun, inPlace, settings, Version.current());
        WrapResult result = null;
        ProgressSummary summary;
        try (ProgressReporter reporter = openReporter(settings)) {
            try {
                result = new WrapJob(request, reporter).run();
            } finally {
                // A job that threw is not "done": its error is the last word.
                summary = reporter.finish(result != null && !reporting.json && !reporting.quiet && !dryRun);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            printPlan(out, result.plan());
            return result.plan().problems().isEmpty() ? ExitCodes.OK : ExitCodes.SOME_FILES_FAILED;
        }
        if (reporting.json) {
            ObjectNode json = JsonSummary.toJson(summary);
            ArrayNode rootsNode = json.putArray("roots");
            roots.forEach(rootsNode::add);
            json.put("mode", request.mode().label());
            json.put("output", inPlace ? roots.get(0) : output);
            state.ifPresent(s -> json.put("state", s.toString()));
            json.put("upToDate", result.upToDate());
            json.put("reused", result.reused());
            JsonSummary.print(out, json);
        }
        return result.failed().isEmpty() ? ExitCodes.OK : ExitCodes.SOME_FILES_FAILED;
    }

    /**
     * Refuses, before any work, an {@code -o} the job cannot honour: a name that looks like an archive
     * it does not write, a NAR of several roots, an output or state directory inside the input (the
     * job would write into what it reads, a store path among others), a directory holding another
     * job's bundle (the two would mix).
     */
    private void checkOutput(Optional<Path> state) throws IOException {
        Optional<String> foreign = OutputForm.foreignArchiveSuffix(output);
        if (foreign.isPresent()) {
            throw new ParameterException(spec.commandLine(), output + ": unknown output form (" + foreign.get()
                    + "): give " + OutputForm.FORMS);
        }
        OutputForm form = Sinks.formOf(output);
        if (form instanceof OutputForm.Nar && roots.size() > 1) {
            throw new ParameterException(spec.commandLine(), output + ": a NAR output holds one store path: give one "
                    + "ROOT, or write a directory, a tarball or file://DIR");
        }
        if (state.isPresent() && Files.exists(state.get()) && !Files.isDirectory(state.get())) {
            throw new ParameterException(spec.commandLine(), "--state " + state.get()
                    + ": exists and is not a directory: give a directory for the checkpoint database");
        }
        Path outPath = form instanceof OutputForm.BinaryCache cache ? cache.directory() : Path.of(output);
        for (String root : roots) {
            Optional<String> inside = insideInput(outPath, Path.of(root));
            if (inside.isPresent()) {
                throw new ParameterException(spec.commandLine(), outPath + ": the output must not be inside "
                        + inside.get() + ": write it elsewhere");
            }
            if (state.isPresent() && (inside = insideInput(state.get(), Path.of(root))).isPresent()) {
                throw new ParameterException(spec.commandLine(), "--state " + state.get() + ": the checkpoint "
                        + "database must not be inside " + inside.get() + ": put it elsewhere");
            }
        }
        if (form instanceof OutputForm.Directory dir) {
            if (Files.exists(dir.path()) && !Files.isDirectory(dir.path())) {
                throw new ParameterException(spec.commandLine(), dir.path() + ": exists and is not a directory: give "
                        + OutputForm.FORMS);
            }
            checkNotAnotherJobsBundle(dir.path());
        }
    }

    /** "the input ROOT" or "the input store DIR" when {@code path} lies inside what {@code root} reads. */
    private static Optional<String> insideInput(Path path, Path root) throws IOException {
        Path target = realPathOfAncestor(path);
        Optional<Path> storePath = StoreDirSource.storePathOf(root);
        List<Path> inputs = storePath.isPresent()
                ? List.of(storePath.get(), storePath.get().getParent())
                : Files.exists(root) ? List.of(root) : List.of(); // a cache directory, or a NAR or export file
        for (int i = 0; i < inputs.size(); i++) {
            Path input = realPathOfAncestor(inputs.get(i));
            if (target.startsWith(input)) {
                return Optional.of((i == 0 ? "the input " : "the input store ") + inputs.get(i));
            }
        }
        return Optional.empty();
    }

    /** {@code path} with its longest existing ancestor replaced by that ancestor's real path. */
    private static Path realPathOfAncestor(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    }

    /**
     * A directory output that holds the manifest of another job (other mode or roots) is refused: the
     * job updates a directory entry by entry, so the two bundles would mix. The same job again resumes.
     */
    private void checkNotAnotherJobsBundle(Path out) throws IOException {
        Path manifest = out.resolve(WrapJob.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return;
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(manifest.toFile());
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), out + " holds an unreadable " + WrapJob.MANIFEST
                    + ": write to a fresh directory or remove it first");
        }
        String theirMode = json.path("mode").asText();
        List<String> theirRoots = new ArrayList<>();
        json.path("roots").forEach(r -> theirRoots.add(r.asText()));
        boolean sameRoots = theirRoots.size() == roots.size();
        for (int i = 0; sameRoots && i < roots.size(); i++) {
            Path theirs = Path.of(theirRoots.get(i));
            // A root given as a relative path was relative to a directory we do not know: only its spelling counts.
            sameRoots = theirs.isAbsolute()
                    ? theirs.normalize().equals(Path.of(roots.get(i)).toAbsolutePath().normalize())
                    : theirRoots.get(i).equals(roots.get(i));
        }
        if (!theirMode.equals(mode.relative ? "relative" : "absolute") || !sameRoots) {
            throw new ParameterException(spec.commandLine(), out + " holds the bundle of another job (--" + theirMode
                    + " " + String.join(" ", theirRoots) + "): write to a fresh directory or remove it first");
        }
    }

    /** {@code --dry-run}: every plan, as JSON with {@code --json}, else one line per entry that changes. */
    private void printPlan(PrintWriter out, JobPlan plan) throws IOException {
        if (reporting.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(PlanJson.toJson(plan)));
            out.flush();
            return;
        }
        for (FilePlan f : plan.files()) {
            Action a = f.action();
            if (a instanceof Action.Directory || a instanceof Action.Copy) {
                continue;
            }
            out.println(a.kind() + " " + f.target() + ": " + PlanJson.compact(PlanJson.toJson(a)));
        }
        long copies = plan.files().stream().filter(f -> f.action() instanceof Action.Copy).count();
        out.println(copies + " files copied unchanged; " + plan.editedCount() + " edited");
        plan.problems().forEach((target, why) -> out.println("not rewritten " + target + ": " + why));
        out.flush();
    }

    /**
     * The configuration files and {@code --option}s, then the flags. An {@code --option} or flag with a
     * bad value is a usage error; a bad file is bad input (exit 3) naming the file and line.
     */
    WrapConfig effectiveConfig() throws IOException {
        WrapConfig settings;
        try {
            settings = config.load(loader);
        } catch (BadInputException e) {
            if (e.file() != null && e.file().startsWith(ConfigLoader.OPTION_LAYER)) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            throw e;
        }
        try {
            if (jobs != null) {
                settings = settings.withJobs(jobs);
            }
            if (hardlink != null) {
                settings = settings.withHardlink(hardlink);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "-j/--jobs: " + e.getMessage());
        }
        return settings;
    }

    /**
     * The progress display for this process: a bar when standard error is a terminal, log lines
     * otherwise, nothing with {@code --quiet}; already ticking. Close it (or {@code finish} it) at the end.
     */
    ProgressReporter openReporter(WrapConfig settings) {
        java.util.Map<String, String> env = System.getenv();
        ProgressReporter reporter = reporting.reporter(spec.commandLine().getErr(), System::nanoTime,
                ReportingOptions.isInteractive(System.console() != null, env), ReportingOptions.terminalWidth(env),
                settings.progressLogInterval());
        reporter.startTicking(ReportingOptions.tickPeriod(reporter));
        return reporter;
    }

    /** {@code --state}, else the state-dir rule applied to {@code -o}; empty when neither is given (no checkpoints). */
    Optional<Path> stateDir(WrapConfig settings) {
        if (state != null) {
            return Optional.of(state);
        }
        return Optional.ofNullable(output).map(settings::stateDirFor);
    }
}
