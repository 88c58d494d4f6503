package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;

/** Paths inside an archive: names joined by {@code /}, empty for the root. */
public final class NarPaths {
    private static final ByteString SLASH = ByteString.utf8("/");

    private NarPaths() {}

    /** {@code parent/name}, or {@code name} under the root. */
    public static ByteString child(ByteString parent, ByteString name) {
        return parent.length() == 0 ? name : parent.concat(SLASH).concat(name);
    }

    /** The path of the directory holding {@code path}; the root for a top-level entry. */
    public static ByteString parent(ByteString path) {
        int slash = lastSlash(path);
        return slash < 0 ? ByteString.EMPTY : path.substring(0, slash);
    }

    public static ByteString name(ByteString path) {
        return path.substring(lastSlash(path) + 1, path.length());
    }

    private static int lastSlash(ByteString path) {
        for (int i = path.length() - 1; i >= 0; i--) {
            if (path.byteAt(i) == '/') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Rejects a path holding a name that no archive may hold (an unchecked error: callers build
     * paths). Runs over the bytes without copying: every node the reader yields passes here.
     */
    static void requireWellFormed(ByteString path) {
        int n = path.length();
        int start = 0;
        for (int i = 0; i <= n; i++) {
            byte b = i < n ? path.byteAt(i) : (byte) '/';
            if (b == 0) {
                throw new IllegalArgumentException("bad path \"" + path + "\": contains NUL");
            }
            if (b != '/' || n == 0) {
                continue;
            }
            int len = i - start;
            boolean dots = (len == 1 && path.byteAt(start) == '.')
                    || (len == 2 && path.byteAt(start) == '.' && path.byteAt(start + 1) == '.');
            if (len == 0 || len > NarLimits.MAX_NAME_LENGTH || dots) {
                throw new IllegalArgumentException("bad path \"" + path + "\": bad name at byte " + start);
            }
            start = i + 1;
        }
    }
}
