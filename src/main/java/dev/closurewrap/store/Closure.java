package dev.closurewrap.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A closure as a source yields it: the roots, every member with its references, and where the
 * members came from. Immutable; a final class rather than a record only to keep an index by path.
 */
public final class Closure {
    private final Optional<Path> storeDir;
    private final List<Path> roots;
    private final List<ClosureItem> items;
    private final String origin;
    private final Optional<Path> builtFor;
    private final Map<Path, ClosureItem> byPath = new HashMap<>();

    public Closure(Optional<Path> storeDir, List<Path> roots, List<ClosureItem> items, String origin) {
        this(storeDir, roots, items, origin, Optional.empty());
    }

    /**
     * @param storeDir  the store directory the store paths sit in; empty for host files
     * @param roots     the roots as given (store paths, or host files)
     * @param items     every member (kept sorted by path)
     * @param origin    how the members and references were found, for people ("nix database",
     *                  "reference scan", "host loader")
     * @param builtFor  the store directory the files were built for when they sit elsewhere
     *                  (restored from an archive): paths inside the files name it, not {@code storeDir}
     */
    public Closure(Optional<Path> storeDir, List<Path> roots, List<ClosureItem> items, String origin,
            Optional<Path> builtFor) {
        this.builtFor = Objects.requireNonNull(builtFor, "builtFor");
        if (builtFor.isPresent() && storeDir.isEmpty()) {
            throw new IllegalArgumentException("builtFor without a store directory");
        }
        this.storeDir = Objects.requireNonNull(storeDir, "storeDir");
        this.roots = List.copyOf(roots);
        List<ClosureItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(ClosureItem::path));
        this.items = List.copyOf(sorted);
        this.origin = Objects.requireNonNull(origin, "origin");
        for (ClosureItem item : this.items) {
            if (byPath.put(item.path(), item) != null) {
                throw new IllegalArgumentException("member listed twice: " + item.path());
            }
        }
    }

    public Optional<Path> storeDir() {
        return storeDir;
    }

    public List<Path> roots() {
        return roots;
    }

    public List<ClosureItem> items() {
        return items;
    }

    public String origin() {
        return origin;
    }

    /**
     * The store directory the members were built for, which their RUNPATHs, interpreters and
     * symlinks name: {@link #storeDir()} unless they were restored elsewhere from an archive.
     */
    public Optional<Path> builtFor() {
        return builtFor.or(() -> storeDir);
    }

    public List<Path> paths() {
        return items.stream().map(ClosureItem::path).toList();
    }

    /** The member whose tree holds {@code file} (the file itself or a parent), if any. */
    public Optional<ClosureItem> itemOf(Path file) {
        for (Path p = file; p != null; p = p.getParent()) {
            ClosureItem item = byPath.get(p);
            if (item != null) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Closure other && storeDir.equals(other.storeDir) && roots.equals(other.roots)
                && items.equals(other.items) && origin.equals(other.origin) && builtFor.equals(other.builtFor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(storeDir, roots, items, origin, builtFor);
    }

    @Override
    public String toString() {
        return "Closure[" + items.size() + " members from " + origin + "]";
    }
}
