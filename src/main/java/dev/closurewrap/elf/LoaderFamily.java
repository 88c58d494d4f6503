package dev.closurewrap.elf;

/** Which dynamic loader's rules apply to an object (facts.md: glibc and musl differ a lot). */
public enum LoaderFamily {
    GLIBC,
    MUSL,
    /** Not loaded by a dynamic loader: static programs, debug files, objects, cores. */
    NONE,
    /** Dynamically linked, but nothing in the file names a known loader or C library. */
    UNKNOWN
}
