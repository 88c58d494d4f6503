package dev.closurewrap.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Placeholder until the Nix-formats issue lands. */
@Command(name = "nar", mixinStandardHelpOptions = true, description = "NAR archives: dump, restore, ls (not yet implemented).")
final class NarCommand implements Callable<Integer> {
    @Parameters(arity = "0..*")
    List<String> args;

    @Override
    public Integer call() {
        throw new NotYetImplementedException("nar");
    }
}
