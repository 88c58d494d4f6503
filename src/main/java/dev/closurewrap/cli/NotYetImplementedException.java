package dev.closurewrap.cli;

/** A sub-command whose issue has not landed yet. Exit code 4, with no stack trace. */
final class NotYetImplementedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotYetImplementedException(String command) {
        super(command + ": not yet implemented");
    }
}
