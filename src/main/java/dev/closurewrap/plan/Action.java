package dev.closurewrap.plan;

import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one output entry is made of. Together with the input bytes (for the actions that have an
 * input) an action decides the output completely: it is what the plan hash covers, so two files
 * with the same content and the same action give the same output, in any job.
 * Store paths inside actions are relative to the bundle's store directory ({@code <hash>-curl/bin/curl}).
 */
public sealed interface Action {
    /** A short name for people and for the JSON {@code "action"} field. */
    String kind();

    /** Whether the output is made from an input file (the others are generated from the plan alone). */
    default boolean hasInput() {
        return true;
    }

    /** A directory. */
    record Directory() implements Action {
        @Override
        public String kind() {
            return "directory";
        }

        @Override
        public boolean hasInput() {
            return false;
        }
    }

    /** The input, byte for byte; {@code reason} says why it needs no change (shown in the manifest). */
    record Copy(String reason) implements Action {
        public Copy {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String kind() {
            return "copy";
        }
    }

    /** The input ELF file with {@code edits} applied by the ELF editor, in order. */
    record EditElf(List<ElfEdit> edits) implements Action {
        public EditElf {
            edits = List.copyOf(edits);
            if (edits.isEmpty()) {
                throw new IllegalArgumentException("an ELF edit plan with no edits is a copy");
            }
        }

        @Override
        public String kind() {
            return "edit-elf";
        }
    }

    /** A symbolic link with this target (rewritten or kept). */
    record Symlink(ByteString target) implements Action {
        public Symlink {
            Objects.requireNonNull(target, "target");
            if (target.length() == 0) {
                throw new IllegalArgumentException("empty symlink target");
            }
        }

        @Override
        public String kind() {
            return "symlink";
        }

        @Override
        public boolean hasInput() {
            return false;
        }
    }

    /**
     * Relative mode: a script whose {@code #!} names a store interpreter, made to find the bundle's
     * copy from its own path ({@code rewrite.ScriptRewriter#relocate}).
     *
     * @param scriptInStore where the script sits below the store directory
     * @param storeDir the old store directory
     * @param bundled the bundled store path names ({@code <hash>-<name>}) the script refers to
     */
    record RelocateScript(ByteString scriptInStore, ByteString storeDir, SortedSet<ByteString> bundled)
            implements Action {
        public RelocateScript {
            Objects.requireNonNull(scriptInStore, "scriptInStore");
            Objects.requireNonNull(storeDir, "storeDir");
            bundled = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(bundled));
        }

        @Override
        public String kind() {
            return "relocate-script";
        }
    }

    /**
     * Absolute mode with a prefix other than the store: every reference to a bundled store path in a
     * text file (scripts, wrappers, configuration) names {@code newStoreDir} instead.
     */
    record PrefixText(ByteString storeDir, ByteString newStoreDir, SortedSet<ByteString> bundled) implements Action {
        public PrefixText {
            Objects.requireNonNull(storeDir, "storeDir");
            Objects.requireNonNull(newStoreDir, "newStoreDir");
            bundled = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(bundled));
        }

        @Override
        public String kind() {
            return "prefix-text";
        }
    }

    /** The bundled dynamic loader: path below the store directory, family, whether it takes --argv0. */
    record Loader(ByteString path, LoaderFamily family, boolean acceptsArgv0) {
        public Loader {
            Objects.requireNonNull(path, "path");
            if (family != LoaderFamily.GLIBC && family != LoaderFamily.MUSL) {
                throw new IllegalArgumentException("loader family must be glibc or musl, got " + family);
            }
        }
    }

    /**
     * Relative mode: the script that takes a dynamically linked executable's place and runs
     * {@code realFile} (the executable, renamed beside it) through the bundled loader.
     */
    record ExecShim(ByteString shim, ByteString realFile, Loader loader, List<ByteString> libraryPath)
            implements Action {
        public ExecShim {
            Objects.requireNonNull(shim, "shim");
            Objects.requireNonNull(realFile, "realFile");
            Objects.requireNonNull(loader, "loader");
            libraryPath = List.copyOf(libraryPath);
        }

        @Override
        public String kind() {
            return "exec-shim";
        }

        @Override
        public boolean hasInput() {
            return false;
        }
    }

    /**
     * Relative mode: {@code OUT/bin/<name>} for a program in a root's {@code bin/} (host mode: for
     * each root program): runs {@code program} through {@code loader} (or directly, for scripts and
     * static programs) with {@code argv0} as its {@code argv[0]}. Paths are relative to the bundle's
     * {@code tree} directory.
     */
    record Launcher(ByteString name, ByteString argv0, ByteString program, Optional<Loader> loader,
                    List<ByteString> libraryPath, Tree tree) implements Action {
        public Launcher {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(argv0, "argv0");
            Objects.requireNonNull(program, "program");
            Objects.requireNonNull(loader, "loader");
            libraryPath = List.copyOf(libraryPath);
            Objects.requireNonNull(tree, "tree");
        }

        /** A launcher into {@code OUT/store}. */
        public Launcher(ByteString name, ByteString argv0, ByteString program, Optional<Loader> loader,
                        List<ByteString> libraryPath) {
            this(name, argv0, program, loader, libraryPath, Tree.STORE);
        }

        @Override
        public String kind() {
            return "launcher";
        }

        @Override
        public boolean hasInput() {
            return false;
        }
    }
}
