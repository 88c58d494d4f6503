package dev.closurewrap.bundle;

/**
 * Every choice that makes the output the same bytes for the same input, in one place (Jib keeps
 * its reproducibility in one class too): entries sorted by path bytes, owner 0:0 with empty names,
 * mtime 1 (the Nix store's), fixed modes, fixed compressor settings.
 */
final class Reproducible {
    /** Seconds since the epoch, as in the Nix store. */
    static final long MTIME_SECONDS = 1;
    static final int DIRECTORY_MODE = 0755;
    static final int EXECUTABLE_MODE = 0555;
    static final int FILE_MODE = 0444;
    /** Symlink permissions are ignored on Linux; tar conventionally records 0777. */
    static final int SYMLINK_MODE = 0777;
    static final int OWNER_ID = 0;
    /** Empty names, as {@code tar --numeric-owner} writes: extraction falls back to the ids. */
    static final String OWNER_NAME = "";

    private Reproducible() {}

    static int fileMode(boolean executable) {
        return executable ? EXECUTABLE_MODE : FILE_MODE;
    }
}
