package dev.closurewrap.graph;

import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.Objects;

/** One file of a closure as the scan saw it: only metadata, never the contents. */
public sealed interface ScannedFile {
    Path path();

    /** A regular file: its content's SHA-256 was taken (or known from an earlier read). */
    sealed interface Content extends ScannedFile permits ElfObject, Script, Regular, BrokenElf {
        String sha256();
    }

    /** An ELF file the reader parsed, with what the loaders need from it. */
    record ElfObject(Path path, long size, String sha256, boolean executable, LoadableObject object)
            implements Content {
        public ElfObject {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(object, "object");
        }
    }

    /** A file starting with {@code #!}: the interpreter path and the rest of the line. */
    record Script(Path path, long size, String sha256, boolean executable, ByteString interpreter,
            ByteString argument) implements Content {
        public Script {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(interpreter, "interpreter");
            Objects.requireNonNull(argument, "argument");
        }
    }

    /** Any other regular file. */
    record Regular(Path path, long size, String sha256, boolean executable) implements Content {
        public Regular {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /** A file with the ELF magic that the reader rejected; the message names the offset. */
    record BrokenElf(Path path, long size, String sha256, String problem) implements Content {
        public BrokenElf {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(problem, "problem");
        }
    }

    /** A symbolic link; {@code absolute} when its target starts with '/'. */
    record Symlink(Path path, ByteString target) implements ScannedFile {
        public Symlink {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(target, "target");
        }

        public boolean absolute() {
            return target.length() > 0 && target.byteAt(0) == '/';
        }
    }

    record Directory(Path path) implements ScannedFile {
        public Directory {
            Objects.requireNonNull(path, "path");
        }
    }
}
