package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;

/**
 * The dynamic loader in the bundle: its path relative to the bundle's store directory, its family,
 * and whether it takes {@code --argv0} (glibc since 2.33; musl 1.2.3 does, checked). Without it,
 * the program sees the real file's path as {@code argv[0]}.
 */
public record BundledLoader(ByteString path, LoaderFamily family, boolean acceptsArgv0) {
    public BundledLoader {
        BundlePaths.requireInStore(path, "loader");
        if (family == null) {
            throw new IllegalArgumentException("loader family missing");
        }
    }

    /** A loader that takes {@code --argv0}: every glibc from 2.33 on, and musl. */
    public BundledLoader(ByteString path, LoaderFamily family) {
        this(path, family, true);
    }
}
