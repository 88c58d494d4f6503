package dev.closurewrap.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A closure as a source yields it: the roots, every member with its references, and where the
 * members came from.
 *
 * @param storeDir  the store directory the store paths sit in; empty for host files
 * @param roots     the roots as given (store paths, or host files)
 * @param items     every member, sorted by path
 * @param origin    how the members and references were found, for people ("nix database",
 *                  "reference scan", "host loader")
 */
public record Closure(Optional<Path> storeDir, List<Path> roots, List<ClosureItem> items, String origin) {
    public Closure {
        Objects.requireNonNull(storeDir, "storeDir");
        roots = List.copyOf(roots);
        List<ClosureItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(ClosureItem::path));
        items = List.copyOf(sorted);
        Objects.requireNonNull(origin, "origin");
    }

    public List<Path> paths() {
        return items.stream().map(ClosureItem::path).toList();
    }

    /** The member whose tree holds {@code file}, if any. */
    public Optional<ClosureItem> itemOf(Path file) {
        for (ClosureItem item : items) {
            if (file.startsWith(item.path())) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }
}
