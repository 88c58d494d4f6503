package dev.closurewrap.cli;

import dev.closurewrap.bundle.ConfigLoader;
import dev.closurewrap.bundle.WrapConfig;
import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
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
        subcommands = {
            InspectCommand.class, GraphCommand.class, VerifyCommand.class, PatchCommand.class,
            NarCommand.class, StatusCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:some files could not be rewritten (listed)",
            "2:usage error",
            "3:bad input (names the file and offset)",
            "4:internal error"
        })
final class WrapCommand implements Callable<Integer> {

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
        // Settings are read (and a bad file reported) before anything else happens.
        WrapConfig settings = effectiveConfig();
        stateDir(settings);
        // The job goes here: run it with `settings`, `stateDir(settings)`, `dryRun` and
        // `openReporter(settings)` as its ProgressListener; then `reporter.finish(!reporting.json)`, and with
        // --json print JsonSummary.toJson(summary) (plus roots, mode, output) on standard output.
        throw new NotYetImplementedException("the wrap job");
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
