package dev.closurewrap.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds which hash parts each store path of one breadth-first level mentions (see
 * {@link ReferenceScanner} for what is scanned). A stage that reads every file anyway can be
 * handed to {@link StoreDirSource} as the finder, so that each file is read once for both.
 */
@FunctionalInterface
public interface ReferenceFinder {
    /** For each of {@code storePaths}, the hash parts {@code matcher} finds in its tree. */
    Map<Path, Set<String>> find(List<Path> storePaths, HashPartMatcher matcher) throws IOException;

    /** {@link ReferenceScanner} on each store path, the paths in parallel. */
    static ReferenceFinder scanning() {
        return (storePaths, matcher) -> {
            ReferenceScanner scanner = new ReferenceScanner(matcher);
            try {
                List<Set<String>> hits = storePaths.parallelStream().map(path -> {
                    try {
                        return scanner.scan(path);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList();
                Map<Path, Set<String>> found = new java.util.LinkedHashMap<>();
                for (int i = 0; i < storePaths.size(); i++) {
                    found.put(storePaths.get(i), hits.get(i));
                }
                return found;
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        };
    }
}
