package dev.closurewrap.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Placeholder until its issue lands: exits 4 with a plain message. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Not yet implemented.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(arity = "0..*")
    List<String> args;

    @Override
    public Integer call() {
        throw new NotYetImplementedException("inspect");
    }
}
