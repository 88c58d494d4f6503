package dev.closurewrap.cli;

import dev.closurewrap.checkpoint.StateDirectoryBusyException;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.UnsupportedInputException;

/** The one place where outcomes become process exit codes. */
final class ExitCodes {
    /** Everything done. */
    static final int OK = 0;
    /** The job finished, but some files could not be rewritten; they are listed. */
    static final int SOME_FILES_FAILED = 1;
    /** The command line was wrong, or its --state directory is held by another job. */
    static final int USAGE = 2;
    /** An input broke its format's rules (the message names the file and offset). */
    static final int BAD_INPUT = 3;
    /** A bug or an environment failure: a stack trace is printed. */
    static final int INTERNAL = 4;

    private ExitCodes() {}

    /** The exit code for an exception that ended a command. */
    static int of(Throwable t) {
        if (t instanceof StateDirectoryBusyException) {
            return USAGE; // the user ran two jobs on one state directory: nothing is broken
        }
        if (t instanceof BadInputException || t instanceof UnsupportedInputException) {
            return BAD_INPUT;
        }
        if (t instanceof java.nio.file.NoSuchFileException || t instanceof java.nio.file.AccessDeniedException) {
            return BAD_INPUT;
        }
        return INTERNAL;
    }

    /** Whether the user should see a stack trace: only for what is not the input's fault. */
    static boolean wantsStackTrace(Throwable t) {
        return of(t) == INTERNAL && !(t instanceof NotYetImplementedException)
                && !(t instanceof java.io.IOException);
    }
}
