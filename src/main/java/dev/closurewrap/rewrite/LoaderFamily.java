package dev.closurewrap.rewrite;

/**
 * Whose dynamic loader runs a program. Both loaders, run as commands, take the options the
 * launchers use: {@code --argv0 NAME} (glibc since 2.33; musl: checked on 1.2.3, also when run
 * through its {@code ld-musl-x86_64.so.1} symlink) and {@code --library-path DIRS}.
 */
public enum LoaderFamily {
    GLIBC,
    MUSL
}
