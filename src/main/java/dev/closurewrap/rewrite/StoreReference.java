package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;

/**
 * One occurrence of a store path in a file: {@code path} is the whole string found,
 * {@code <storedir>/<hash>-<name>}, and {@code offset} the byte offset of its first byte.
 */
public record StoreReference(long offset, ByteString path) {
    public StoreReference {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (path == null || path.length() == 0) {
            throw new IllegalArgumentException("empty store path");
        }
    }

    /** {@code <hash>-<name>}: the last component of {@link #path()}. */
    public ByteString baseName() {
        int slash = path.length() - 1;
        while (slash >= 0 && path.byteAt(slash) != '/') {
            slash--;
        }
        return path.substring(slash + 1, path.length());
    }
}
