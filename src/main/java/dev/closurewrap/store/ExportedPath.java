package dev.closurewrap.store;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/** One path of a {@code nix-store --export} stream: its references, deriver and NAR digest. */
public record ExportedPath(StorePath path, SortedSet<StorePath> references, Optional<StorePath> deriver,
        Hash narHash, long narSize) {
    public ExportedPath {
        references = Collections.unmodifiableSortedSet(new TreeSet<>(references));
        if (narHash.algorithm() != HashAlgorithm.SHA256) {
            throw new IllegalArgumentException("NarHash must be SHA-256");
        }
        if (narSize < 0) {
            throw new IllegalArgumentException("negative NarSize");
        }
    }
}
