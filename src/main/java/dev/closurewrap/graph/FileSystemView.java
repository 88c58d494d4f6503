package dev.closurewrap.graph;

import java.io.IOException;
import java.util.Optional;

/**
 * The file system as a loader sees it: which paths exist, which are directories, and what ELF
 * object a path opens. Paths are absolute strings whose chars are the path's bytes (ISO-8859-1),
 * so that no byte is lost on the way through the loader's string handling.
 */
public interface FileSystemView {
    /** Whether something exists at {@code path} (following symlinks), as {@code stat} sees it. */
    boolean exists(String path);

    /** The path with every symlink resolved, as {@code realpath} gives it; empty if nothing is there. */
    Optional<String> canonical(String path) throws IOException;

    /** Whether {@code path} is a directory (following symlinks). */
    boolean isDirectory(String path);

    /**
     * The object {@code path} opens, with the canonical path that identifies the file (what the
     * loaders compare as device and inode); empty when nothing is there or it is not ELF.
     */
    Optional<Opened> open(String path) throws IOException;

    /** Seeds the object cache with what a scan already parsed, so no file is parsed twice. */
    default void remember(String canonicalPath, LoadableObject object) {}

    /** An opened ELF object: its identity and the loader-relevant facts. */
    record Opened(String canonicalPath, LoadableObject object) {}
}
