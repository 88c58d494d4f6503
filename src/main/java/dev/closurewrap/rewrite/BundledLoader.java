package dev.closurewrap.rewrite;

import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;

/**
 * The dynamic loader in the bundle: its path relative to the bundle's store directory, its family
 * ({@link LoaderFamily#GLIBC} or {@link LoaderFamily#MUSL}), and whether it takes {@code --argv0}.
 * Both loaders, run as commands, take the options launchers use: {@code --argv0 NAME} (glibc since
 * 2.33; musl: checked on 1.2.3, also when run through its {@code ld-musl-x86_64.so.1} symlink) and
 * {@code --library-path DIRS}. Without {@code --argv0} the program sees the real file's path as
 * {@code argv[0]}.
 */
public record BundledLoader(ByteString path, LoaderFamily family, boolean acceptsArgv0) {
    public BundledLoader {
        BundlePaths.requireInStore(path, "loader");
        if (family != LoaderFamily.GLIBC && family != LoaderFamily.MUSL) {
            throw new IllegalArgumentException("a bundled loader is glibc's or musl's, not " + family);
        }
    }

    /** A loader that takes {@code --argv0}: every glibc from 2.33 on, and musl. */
    public BundledLoader(ByteString path, LoaderFamily family) {
        this(path, family, true);
    }
}
