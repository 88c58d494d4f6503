package dev.closurewrap.rewrite;

import dev.closurewrap.io.BytePaths;
import dev.closurewrap.io.ByteString;
import java.util.List;

/** Checks on the paths plans carry: relative to the bundle's store directory, already normal. */
final class BundlePaths {
    private BundlePaths() {}

    /** {@code path} is {@code <hash>-<name>[/...]}: relative, no empty, {@code .} or {@code ..} component, no NUL. */
    static void requireInStore(ByteString path, String what) {
        if (path == null || path.length() == 0 || path.byteAt(0) == '/' || path.contains((byte) 0)) {
            throw new IllegalArgumentException(what + " must be a relative path inside the store: " + path);
        }
        List<ByteString> components = BytePaths.components(path);
        int slashes = 0;
        for (int i = 0; i < path.length(); i++) {
            slashes += path.byteAt(i) == '/' ? 1 : 0;
        }
        if (components.size() != slashes + 1 || components.contains(ByteString.utf8(".."))) {
            throw new IllegalArgumentException(what + " must be a normal path (no empty, . or .. component): " + path);
        }
    }

    /** The part before the last {@code /}, or empty when there is none. */
    static ByteString parent(ByteString path) {
        for (int i = path.length() - 1; i >= 0; i--) {
            if (path.byteAt(i) == '/') {
                return path.substring(0, i);
            }
        }
        return ByteString.EMPTY;
    }

    /** The part after the last {@code /}. */
    static ByteString fileName(ByteString path) {
        int last = path.length() - 1;
        while (last >= 0 && path.byteAt(last) != '/') {
            last--;
        }
        return path.substring(last + 1, path.length());
    }
}
