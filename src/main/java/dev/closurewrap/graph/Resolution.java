package dev.closurewrap.graph;

import dev.closurewrap.io.ByteString;
import java.util.Objects;
import java.util.Optional;

/**
 * One DT_NEEDED entry of one object, resolved the way its loader resolves it.
 *
 * @param requester  canonical path of the object whose DT_NEEDED this is
 * @param needed     the DT_NEEDED string
 * @param target     canonical path of the object it resolved to; empty when not found
 * @param openedAs   the path the loader opened (or matched), which is also the target's name in the process
 * @param how        how it was found
 * @param directory  the search directory it was found in (for cache: the cache file); empty otherwise
 */
public record Resolution(String requester, ByteString needed, Optional<String> target, Optional<String> openedAs,
        How how, Optional<String> directory) {

    public Resolution {
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(needed, "needed");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(openedAs, "openedAs");
        Objects.requireNonNull(how, "how");
        Objects.requireNonNull(directory, "directory");
        if (target.isEmpty() != (how == How.NOT_FOUND)) {
            throw new IllegalArgumentException("target " + target + " with " + how);
        }
    }

    public boolean resolved() {
        return target.isPresent();
    }
}
