package dev.closurewrap.rewrite;

import java.io.IOException;

/**
 * An edited file that does not read back as its plan says: the editor's fault with this file, not the
 * machine's. The batch copies the file unchanged and reports it; an I/O error (a full disk) stops the job.
 */
public final class RewriteMismatchException extends IOException {
    public RewriteMismatchException(String message) {
        super(message);
    }
}
