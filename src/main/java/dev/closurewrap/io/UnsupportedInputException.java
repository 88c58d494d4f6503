package dev.closurewrap.io;

import java.io.IOException;

/**
 * Valid input that closure-wrap does not handle (an ELF kind the editor refuses to move, a NAR
 * compression it cannot read). Kept apart from {@link BadInputException}: the input is fine, the
 * tool is the limit.
 */
public class UnsupportedInputException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String reason;

    public UnsupportedInputException(String file, String reason) {
        super((file == null ? "<input>" : file) + ": not supported: " + reason);
        this.file = file;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public String reason() {
        return reason;
    }
}
