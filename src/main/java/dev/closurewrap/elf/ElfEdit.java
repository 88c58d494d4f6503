package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Objects;

/**
 * One change to an ELF file's dynamic linking information. Edits are data: {@link ElfEditor}
 * applies a list of them, in order, to a model of the file's dynamic entries, and only then lays
 * the file out, once.
 */
public sealed interface ElfEdit {

    /**
     * Every DT_NEEDED equal to {@code from} becomes {@code to}, and so does every
     * {@code .gnu.version_r} file name (vn_file) equal to {@code from}, so that glibc's version
     * check finds the library under its new name.
     */
    record ReplaceNeeded(ByteString from, ByteString to) implements ElfEdit {
        public ReplaceNeeded {
            requireName(from, "from");
            requireName(to, "to");
        }
    }

    /** Adds DT_NEEDED {@code name} in front of the existing entries (patchelf's --add-needed). */
    record AddNeeded(ByteString name) implements ElfEdit {
        public AddNeeded {
            requireName(name, "name");
        }
    }

    /**
     * Removes every DT_NEEDED equal to {@code name}, and with it the {@code .gnu.version_r} entry
     * for that file: the chain, DT_VERNEEDNUM and the section's sh_info follow, and symbols that
     * were bound to the dropped versions become unversioned (index 1), so the loader's version
     * check never looks for a library that is no longer needed.
     */
    record RemoveNeeded(ByteString name) implements ElfEdit {
        public RemoveNeeded {
            requireName(name, "name");
        }
    }

    /** Replaces the whole DT_NEEDED list (reorders, adds, removes); vn_file names are not touched. */
    record SetNeeded(List<ByteString> names) implements ElfEdit {
        public SetNeeded {
            names = List.copyOf(names);
            names.forEach(n -> requireName(n, "names"));
        }
    }

    /** Sets vn_file of every {@code .gnu.version_r} entry equal to {@code from}; DT_NEEDED is not touched. */
    record RenameVersionNeedFile(ByteString from, ByteString to) implements ElfEdit {
        public RenameVersionNeedFile {
            requireName(from, "from");
            requireName(to, "to");
        }
    }

    /**
     * Sets the search path: afterwards there is exactly one search-path entry, with {@code tag},
     * holding {@code path}; an entry of the other tag is converted (patchelf's --set-rpath, and with
     * {@link SearchPathTag#RPATH} its --force-rpath).
     */
    record SetSearchPath(ByteString path, SearchPathTag tag) implements ElfEdit {
        public SetSearchPath {
            requireString(path, "path");
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** Appends {@code directories} (colon-separated) to the search path, as {@link SetSearchPath} would set it. */
    record AddSearchPath(ByteString directories, SearchPathTag tag) implements ElfEdit {
        public AddSearchPath {
            requireName(directories, "directories");
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** Removes every DT_RPATH and DT_RUNPATH entry. */
    record RemoveSearchPath() implements ElfEdit {}

    /** Sets PT_INTERP. */
    record SetInterpreter(ByteString path) implements ElfEdit {
        public SetInterpreter {
            requireName(path, "path");
            if (path.length() >= ElfReader.MAX_INTERP) {
                throw new IllegalArgumentException("interpreter path longer than PATH_MAX");
            }
        }
    }

    /** Sets DT_SONAME, adding it if missing. */
    record SetSoname(ByteString name) implements ElfEdit {
        public SetSoname {
            requireName(name, "name");
        }
    }

    private static void requireString(ByteString value, String what) {
        Objects.requireNonNull(value, what);
        if (value.contains((byte) 0)) {
            throw new IllegalArgumentException(what + " contains a NUL byte: " + value);
        }
    }

    private static void requireName(ByteString value, String what) {
        requireString(value, what);
        if (value.length() == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
    }
}
