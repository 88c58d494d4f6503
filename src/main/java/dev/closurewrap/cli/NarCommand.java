package dev.closurewrap.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code closure-wrap nar dump | restore | ls}: NAR archives, byte-compatible with Nix. */
@Command(name = "nar", mixinStandardHelpOptions = true,
        description = "NAR archives, byte for byte as Nix writes them: dump, restore, ls.",
        subcommands = {NarDumpCommand.class, NarRestoreCommand.class, NarLsCommand.class})
final class NarCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
