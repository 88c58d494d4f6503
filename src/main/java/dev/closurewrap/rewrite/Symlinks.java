package dev.closurewrap.rewrite;

import static dev.closurewrap.io.BytePaths.components;
import static dev.closurewrap.io.BytePaths.relative;

import dev.closurewrap.io.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Symlink targets that name the old store, rewritten without touching the file system.
 *
 * <p>Relative mode: the bundle keeps the store's layout ({@code OUT/store/<hash>-<name>/...}), so a
 * link at {@code <hash>-app/bin/curl} to {@code /nix/store/<hash>-curl/bin/curl} becomes
 * {@code ../../<hash>-curl/bin/curl}. Links to links and links to directories need nothing
 * special: the kernel follows the relative link to the bundle's copy of whatever was there, itself
 * rewritten. {@code .} and empty components are dropped; {@code ..} is resolved lexically only
 * against the link's own directories, which are real directories (the tree walk that found the
 * link never crosses a symlink). A {@code ..} further into the target stays as it is, because the
 * component before it may be a symlink, and the kernel resolves {@code ..} physically.
 */
public final class Symlinks {
    private static final ByteString DOT_DOT = ByteString.utf8("..");
    private static final ByteString SLASH = ByteString.utf8("/");

    private Symlinks() {}

    /**
     * The relative target that replaces {@code target}, or empty when the link does not point
     * into {@code storeDir} (a relative link, or an absolute one elsewhere: left as it is).
     *
     * @param storeDir the old store directory, e.g. {@code /nix/store}
     * @param linkInStore where the link sits, relative to the store directory: {@code <hash>-app/bin/curl}
     * @param target the link's target as stored
     */
    public static Optional<ByteString> relativeTarget(ByteString storeDir, ByteString linkInStore, ByteString target) {
        Optional<List<ByteString>> inStore = componentsInStore(storeDir, target);
        if (inStore.isEmpty()) {
            return Optional.empty();
        }
        List<ByteString> linkDir = components(linkInStore);
        if (linkDir.isEmpty() || linkDir.contains(DOT_DOT)) {
            throw new IllegalArgumentException("link location must be a normal path inside the store: " + linkInStore);
        }
        linkDir.remove(linkDir.size() - 1);
        return Optional.of(relative(linkDir, inStore.get()));
    }

    /**
     * The store path ({@code <hash>-<name>}) an absolute target leads into, so the caller can check
     * that it is in the bundle before making the link relative (a link to a path left out of the
     * bundle would dangle: keep it and report it instead). Empty for targets outside the store and
     * for the store directory itself.
     */
    public static Optional<ByteString> targetStorePath(ByteString storeDir, ByteString target) {
        return componentsInStore(storeDir, target).filter(components -> !components.isEmpty()).map(components -> components.get(0));
    }

    /**
     * Prefix mode: {@code target} with the old store directory replaced by {@code newStoreDir}, or
     * empty when the link does not point into the old store.
     */
    public static Optional<ByteString> prefixedTarget(ByteString storeDir, ByteString newStoreDir, ByteString target) {
        Optional<List<ByteString>> inStore = componentsInStore(storeDir, target);
        if (inStore.isEmpty()) {
            return Optional.empty();
        }
        ByteString result = newStoreDir;
        for (ByteString component : inStore.get()) {
            result = result.concat(SLASH).concat(component);
        }
        return Optional.of(result);
    }

    /**
     * The target's components below the store directory when it is an absolute path into it
     * ({@code /nix/store} itself gives an empty list), else empty. A {@code ..} that would climb out
     * of the store directory before reaching a store path means "not in the store".
     */
    static Optional<List<ByteString>> componentsInStore(ByteString storeDir, ByteString target) {
        if (target.length() == 0 || target.byteAt(0) != '/') {
            return Optional.empty();
        }
        List<ByteString> store = components(storeDir);
        List<ByteString> path = components(target);
        if (path.size() < store.size() || !path.subList(0, store.size()).equals(store)
                || store.contains(DOT_DOT)) {
            return Optional.empty();
        }
        List<ByteString> below = new ArrayList<>(path.subList(store.size(), path.size()));
        if (!below.isEmpty() && below.get(0).equals(DOT_DOT)) {
            return Optional.empty();
        }
        return Optional.of(below);
    }
}
