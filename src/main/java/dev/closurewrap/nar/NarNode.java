package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;

/**
 * One node of an archive, in archive order (a directory comes before its entries, entries in
 * strictly increasing name order). {@code path} is relative to the root: empty for the root,
 * {@code sub/B} for an entry, names joined by {@code /}.
 */
public sealed interface NarNode {
    ByteString path();

    /** Number of names in {@link #path()}: 0 for the root. */
    default int depth() {
        ByteString p = path();
        if (p.length() == 0) {
            return 0;
        }
        int depth = 1;
        for (int i = p.indexOf((byte) '/', 0); i >= 0; i = p.indexOf((byte) '/', i + 1)) {
            depth++;
        }
        return depth;
    }

    /** Last name of {@link #path()}, empty for the root. */
    default ByteString name() {
        return NarPaths.name(path());
    }

    record Directory(ByteString path) implements NarNode {
        public Directory {
            NarPaths.requireWellFormed(path);
        }
    }

    /** A regular file; its {@code size} bytes of contents follow it in the archive. */
    record Regular(ByteString path, boolean executable, long size) implements NarNode {
        public Regular {
            NarPaths.requireWellFormed(path);
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
        }
    }

    record Symlink(ByteString path, ByteString target) implements NarNode {
        public Symlink {
            NarPaths.requireWellFormed(path);
            if (NarLimits.checkTarget(target) != null) {
                throw new IllegalArgumentException(BadNarException.describe(NarLimits.checkTarget(target), target));
            }
        }
    }
}
