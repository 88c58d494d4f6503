package dev.closurewrap.plan;

/**
 * The directory of a bundle that holds the closure, and what it mirrors: store paths below
 * {@code OUT/store}, or (host mode) host files at their host paths below {@code OUT/host}
 * ({@code /usr/bin/curl} → {@code OUT/host/usr/bin/curl}).
 */
public enum Tree {
    STORE("store"),
    HOST("host");

    private final String directory;

    Tree(String directory) {
        this.directory = directory;
    }

    /** The directory's name at the top of the bundle. */
    public String directory() {
        return directory;
    }
}
