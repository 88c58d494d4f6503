package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.plan.Tree;
import java.util.List;
import java.util.Optional;

/**
 * A launcher {@code OUT/bin/<name>} for one program in a root's {@code bin/} (host mode: one per
 * root program). Paths are relative to the bundle's {@code tree} directory: {@code OUT/store}, or
 * {@code OUT/host} for host programs.
 *
 * @param name the launcher's file name
 * @param argv0 the bundle copy of the root's {@code bin/} entry: what the program sees as
 *     {@code argv[0]}, so programs that find their files from it (CPython) look inside the bundle
 * @param program the file to run: the real ELF file (renamed beside its shim) when {@code loader}
 *     is present, else a script or static program that is executed directly
 * @param loader the bundled loader that runs {@code program}; empty for scripts and static programs
 * @param libraryPath directories for {@code --library-path}; empty when the ELF rewrite made them unneeded
 * @param tree the directory below the bundle root that the paths are relative to
 */
public record LauncherPlan(ByteString name, ByteString argv0, ByteString program, Optional<BundledLoader> loader,
        List<ByteString> libraryPath, Tree tree) {
    /** A launcher into the bundle's {@code store} directory. */
    public LauncherPlan(ByteString name, ByteString argv0, ByteString program, Optional<BundledLoader> loader,
            List<ByteString> libraryPath) {
        this(name, argv0, program, loader, libraryPath, Tree.STORE);
    }

    public LauncherPlan {
        java.util.Objects.requireNonNull(tree, "tree");
        if (name == null || name.length() == 0 || name.contains((byte) '/') || name.contains((byte) 0)
                || name.equals(ByteString.utf8(".")) || name.equals(ByteString.utf8(".."))) {
            throw new IllegalArgumentException("launcher name must be a plain file name: " + name);
        }
        BundlePaths.requireInStore(argv0, "argv0");
        BundlePaths.requireInStore(program, "program");
        libraryPath = List.copyOf(libraryPath);
        if (loader.isEmpty() && !libraryPath.isEmpty()) {
            throw new IllegalArgumentException("a library path needs a loader to pass it to");
        }
        libraryPath.forEach(LauncherPlan::requireLibraryDir);
    }

    static void requireLibraryDir(ByteString dir) {
        BundlePaths.requireInStore(dir, "library directory");
        if (dir.contains((byte) ':')) {
            throw new IllegalArgumentException("a --library-path directory cannot contain ':': " + dir);
        }
    }
}
