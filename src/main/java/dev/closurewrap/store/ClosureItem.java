package dev.closurewrap.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One member of a closure: a store path (a directory, file or symlink under the store directory)
 * with the store paths it references, or a host file found the way the host's loader finds it.
 *
 * @param path        absolute path of the store path or host file
 * @param references  the store paths it references (itself included when it refers to itself);
 *                    empty for host files, whose dependencies the loader model finds
 */
public record ClosureItem(Path path, Set<Path> references, Kind kind) {
    public enum Kind {
        STORE_PATH,
        HOST_FILE
    }

    public ClosureItem {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("not absolute: " + path);
        }
        references = Set.copyOf(new TreeSet<>(references));
        Objects.requireNonNull(kind, "kind");
    }
}
