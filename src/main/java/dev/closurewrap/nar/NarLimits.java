package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;

/**
 * The limits every NAR must keep, stated once and enforced by both the reader and the writer.
 * Recent Nix enforces the same three; Nix 2.8 still accepts unsorted and duplicate names, we do not.
 */
public final class NarLimits {
    /** Longest directory entry name, in bytes (the usual file-system NAME_MAX). */
    public static final int MAX_NAME_LENGTH = 255;
    /** Longest symlink target, in bytes (PATH_MAX less the terminating NUL). */
    public static final int MAX_TARGET_LENGTH = 4095;
    /** Nodes may sit at depth 0 (the root) to {@code MAX_DEPTH - 1}; deeper nesting is rejected. */
    public static final int MAX_DEPTH = 64;
    /** Longest grammar token ({@code nix-archive-1} is 13); a longer string where a token is due is rejected unread. */
    static final int MAX_TOKEN_LENGTH = 16;

    private NarLimits() {}

    /**
     * Why {@code name} cannot follow {@code previous} (null for the first entry) in a directory,
     * or null if it can.
     */
    static BadNarException.Reason checkName(ByteString name, ByteString previous) {
        if (name.length() == 0) {
            return BadNarException.Reason.NAME_EMPTY;
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return BadNarException.Reason.NAME_TOO_LONG;
        }
        if (name.equals(DOT) || name.equals(DOT_DOT)) {
            return BadNarException.Reason.NAME_DOT;
        }
        for (int i = 0; i < name.length(); i++) {
            byte b = name.byteAt(i);
            if (b == '/') {
                return BadNarException.Reason.NAME_SLASH;
            }
            if (b == 0) {
                return BadNarException.Reason.NAME_NUL;
            }
        }
        if (previous != null && name.compareTo(previous) <= 0) {
            return BadNarException.Reason.NAME_NOT_INCREASING;
        }
        return null;
    }

    /** Why {@code target} cannot be a symlink target, or null if it can. */
    static BadNarException.Reason checkTarget(ByteString target) {
        if (target.length() == 0) {
            return BadNarException.Reason.TARGET_EMPTY;
        }
        if (target.length() > MAX_TARGET_LENGTH) {
            return BadNarException.Reason.TARGET_TOO_LONG;
        }
        if (target.contains((byte) 0)) {
            return BadNarException.Reason.TARGET_NUL;
        }
        return null;
    }

    private static final ByteString DOT = ByteString.utf8(".");
    private static final ByteString DOT_DOT = ByteString.utf8("..");
}
