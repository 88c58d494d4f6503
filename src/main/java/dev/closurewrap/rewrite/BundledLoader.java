package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;

/** The dynamic loader in the bundle: its path relative to the bundle's store directory, and its family. */
public record BundledLoader(ByteString path, LoaderFamily family) {
    public BundledLoader {
        BundlePaths.requireInStore(path, "loader");
        if (family == null) {
            throw new IllegalArgumentException("loader family missing");
        }
    }
}
