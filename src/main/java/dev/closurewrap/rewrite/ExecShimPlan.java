package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.util.List;

/**
 * An exec shim: a dynamically linked executable whose {@code PT_INTERP} still names the old store
 * is renamed to {@code realFile} beside it, and {@code shim} (its old name) becomes a script that
 * runs it through the bundled {@code loader}. Paths are relative to the bundle's store directory.
 *
 * @param libraryPath directories (relative to the store directory) passed as {@code --library-path};
 *     empty when the ELF rewrite already made every library resolve without a search path
 */
public record ExecShimPlan(ByteString shim, ByteString realFile, BundledLoader loader, List<ByteString> libraryPath) {
    public ExecShimPlan {
        BundlePaths.requireInStore(shim, "shim");
        BundlePaths.requireInStore(realFile, "real file");
        if (!BundlePaths.parent(shim).equals(BundlePaths.parent(realFile)) || shim.equals(realFile)) {
            // $ORIGIN of the real program must stay the directory the ELF rewrite planned for.
            throw new IllegalArgumentException("real file " + realFile + " must sit beside the shim " + shim);
        }
        if (loader == null) {
            throw new IllegalArgumentException("loader missing");
        }
        libraryPath = List.copyOf(libraryPath);
        libraryPath.forEach(LauncherPlan::requireLibraryDir);
    }
}
