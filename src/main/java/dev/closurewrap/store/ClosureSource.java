package dev.closurewrap.store;

import java.io.IOException;

/**
 * Something that yields a closure: store paths under a store directory ({@link StoreDirSource}),
 * host programs ({@link HostSource}). NAR files, export streams and binary caches will be sources
 * too: they restore into a directory and yield a {@link StoreDirSource}'s closure over it.
 */
public interface ClosureSource {
    Closure closure() throws IOException;
}
