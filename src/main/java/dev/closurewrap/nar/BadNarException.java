package dev.closurewrap.nar;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;

/**
 * A NAR that breaks the grammar or the {@link NarLimits}. The file it names is
 * {@code <archive>!/<path inside the archive>}, so both the archive and the entry are known.
 */
public final class BadNarException extends BadInputException {
    private static final long serialVersionUID = 1L;

    /** Each way an archive can be bad; tests and callers match on these, not on message text. */
    public enum Reason {
        UNEXPECTED_TOKEN, TRUNCATED, TRAILING_DATA, NONZERO_PADDING, TOKEN_TOO_LONG, CONTENTS_TOO_LARGE,
        NAME_EMPTY, NAME_DOT, NAME_SLASH, NAME_NUL, NAME_TOO_LONG, NAME_NOT_INCREASING,
        TARGET_EMPTY, TARGET_TOO_LONG, TARGET_NUL, TOO_DEEP, BAD_TREE
    }

    private final Reason reason;
    private final ByteString entryPath;

    BadNarException(String archive, ByteString entryPath, long offset, Reason reason, String problem) {
        super("NAR", archive + "!/" + entryPath, offset, problem);
        this.reason = reason;
        this.entryPath = entryPath;
    }

    public Reason reason() {
        return reason;
    }

    /** Path of the entry inside the archive ({@code a/b}; empty for the root). */
    public ByteString entryPath() {
        return entryPath;
    }

    /** The problem text for a name or target rejected by {@link NarLimits}. */
    static String describe(Reason reason, ByteString value) {
        return switch (reason) {
            case NAME_EMPTY -> "empty entry name";
            case NAME_DOT -> "entry name \"" + value + "\" is not allowed";
            case NAME_SLASH -> "entry name \"" + value + "\" contains '/'";
            case NAME_NUL -> "entry name \"" + value + "\" contains NUL";
            case NAME_TOO_LONG -> "entry name of " + value.length() + " bytes exceeds the limit of "
                    + NarLimits.MAX_NAME_LENGTH;
            case NAME_NOT_INCREASING -> "entry name \"" + value + "\" is not greater than the previous one (unsorted or duplicate)";
            case TARGET_EMPTY -> "empty symlink target";
            case TARGET_TOO_LONG -> "symlink target of " + value.length() + " bytes exceeds the limit of "
                    + NarLimits.MAX_TARGET_LENGTH;
            case TARGET_NUL -> "symlink target \"" + value + "\" contains NUL";
            default -> reason.name();
        };
    }
}
