package dev.closurewrap.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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

    @Option(names = "--state", paramLabel = "DIR", description = "Checkpoint database; run again to resume.")
    Path state;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel rewrites (default: all cores).")
    Integer jobs;

    @Parameters(paramLabel = "ROOT", arity = "0..*",
            description = "Store path, NAR, export stream, binary cache directory or host ELF.")
    List<String> roots;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (mode == null && (roots == null || roots.isEmpty())) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return ExitCodes.USAGE;
        }
        if (mode == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing mode: give --relative or --absolute");
        }
        if (roots == null || roots.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing ROOT");
        }
        throw new NotYetImplementedException("the wrap job");
    }
}
