package dev.closurewrap.elf;

/**
 * What a file is, as far as rewriting goes. Only {@link #DYNAMIC_EXECUTABLE}, {@link #PIE_EXECUTABLE}
 * and {@link #SHARED_LIBRARY} are ever edited; the rules are in {@code docs/formats.md}.
 */
public enum ElfKind {
    /** ET_EXEC with PT_INTERP. */
    DYNAMIC_EXECUTABLE("dynamic executable", true),
    /** ET_DYN with PT_INTERP that is not a library: DF_1_PIE set, or no DT_SONAME. */
    PIE_EXECUTABLE("PIE executable", true),
    /** ET_DYN that is neither a program nor the loader (may still have PT_INTERP, like glibc's libc.so.6). */
    SHARED_LIBRARY("shared library", true),
    /** ET_EXEC without PT_INTERP. */
    STATIC_EXECUTABLE("static executable", false),
    /** ET_DYN without PT_INTERP with DF_1_PIE, or without PT_DYNAMIC at all. */
    STATIC_PIE("static-pie executable", false),
    /** The dynamic loader itself: glibc's ld-linux*.so, musl's libc.so / ld-musl-*.so. */
    LOADER("dynamic loader", false),
    /** A separate debug file: .dynamic (or, without one, .text) is SHT_NOBITS. */
    DEBUG_FILE("separate debug file", false),
    /** ET_REL: .o and .ko files. */
    RELOCATABLE("relocatable object", false),
    /** ET_CORE. */
    CORE("core dump", false),
    /** Any other e_type (ET_NONE, OS- or processor-specific). */
    OTHER("other ELF type", false);

    private final String description;
    private final boolean dynamicallyLinked;

    ElfKind(String description, boolean dynamicallyLinked) {
        this.description = description;
        this.dynamicallyLinked = dynamicallyLinked;
    }

    /** Words for people, e.g. {@code PIE executable}. */
    public String description() {
        return description;
    }

    /** Whether the loader resolves this object's DT_NEEDED entries: the kinds a rewrite may edit. */
    public boolean isDynamicallyLinked() {
        return dynamicallyLinked;
    }
}
