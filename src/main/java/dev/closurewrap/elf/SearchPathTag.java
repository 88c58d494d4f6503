package dev.closurewrap.elf;

/**
 * Which dynamic tag holds a search path. glibc ignores DT_RPATH when DT_RUNPATH is present and
 * inherits DT_RPATH down the chain of requesting objects but not DT_RUNPATH (facts.md); musl treats
 * both alike.
 */
public enum SearchPathTag {
    RUNPATH(ElfConstants.DT_RUNPATH),
    RPATH(ElfConstants.DT_RPATH);

    private final long tag;

    SearchPathTag(long tag) {
        this.tag = tag;
    }

    /** The dynamic tag, DT_RUNPATH or DT_RPATH. */
    public long tag() {
        return tag;
    }
}
