package dev.closurewrap.graph;

/** How a loader found the object for one DT_NEEDED entry. */
public enum How {
    /** Matched by name (or glibc: by soname) to an object already loaded, with no file lookup. */
    ALREADY_LOADED("already-loaded"),
    /** The name contains '/' and was opened as given (after $ORIGIN expansion on glibc). */
    PATH("path"),
    /** Found in a DT_RPATH directory (glibc: of the requester or the chain that loaded it). */
    RPATH("rpath"),
    /** Found in an LD_LIBRARY_PATH directory. */
    LIBRARY_PATH("ld-library-path"),
    /** Found in a DT_RUNPATH directory (musl: of the requester or the chain that loaded it). */
    RUNPATH("runpath"),
    /** glibc: found through ld.so.cache. */
    CACHE("cache"),
    /** Found in a default directory. */
    DEFAULT("default"),
    /** The loader itself answered: glibc's own soname, or musl's reserved libc names. */
    LOADER("loader"),
    /** Not found anywhere. */
    NOT_FOUND("not-found");

    private final String label;

    How(String label) {
        this.label = label;
    }

    /** The word used in the graph's JSON and DOT output. */
    public String label() {
        return label;
    }
}
