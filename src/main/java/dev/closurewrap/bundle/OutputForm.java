package dev.closurewrap.bundle;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** What {@code -o OUT} asks for, read from its form. */
public sealed interface OutputForm {
    /** A plain directory: anything that is not one of the forms below. */
    record Directory(Path path) implements OutputForm {
        public Directory {
            Objects.requireNonNull(path, "path");
        }
    }

    /** {@code *.tar}, {@code *.tar.gz}/{@code *.tgz}, {@code *.tar.xz}, {@code *.tar.zst}. */
    record Tarball(Path path, Compression compression) implements OutputForm {
        public Tarball {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(compression, "compression");
        }
    }

    /** {@code *.nar}, {@code *.nar.xz}, {@code *.nar.zst}: a single root's NAR ({@link NarSink}). */
    record Nar(Path path, Compression compression) implements OutputForm {
        public Nar {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(compression, "compression");
        }
    }

    /**
     * {@code file://DIR}: a binary cache of the rewritten store paths, written by
     * {@link BinaryCacheSink}: one NAR per store path under {@code store/} with a fresh narinfo each
     * (NarHash, NarSize, FileHash, FileSize, References recomputed).
     */
    record BinaryCache(Path directory) implements OutputForm {
        public BinaryCache {
            Objects.requireNonNull(directory, "directory");
        }
    }

    /** What {@code -o} accepts, for messages. */
    String FORMS = "a directory, *.tar, *.tar.gz, *.tar.xz, *.tar.zst, *.nar, *.nar.xz, *.nar.zst or file://DIR";

    /**
     * Names of archives and compressed files closure-wrap does not write. {@link #parse} would take
     * {@code app.nar.gz} or {@code app.tar.bz2} for a directory; such a name is a mistake, not a wish.
     */
    List<String> FOREIGN_SUFFIXES = List.of(".gz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".zst", ".zstd", ".tzst",
            ".lz", ".lz4", ".lzma", ".lzo", ".z", ".zip", ".7z", ".rar", ".cpio", ".jar", ".deb", ".rpm");

    /** The suffix of an {@code -o} argument that looks like an archive closure-wrap does not write, if any. */
    static Optional<String> foreignArchiveSuffix(String out) {
        if (!(parse(out) instanceof Directory dir) || dir.path().getFileName() == null) {
            return Optional.empty();
        }
        String name = dir.path().getFileName().toString().toLowerCase(Locale.ROOT);
        return FOREIGN_SUFFIXES.stream().filter(name::endsWith).findFirst();
    }

    /** Reads the form of an {@code -o} argument. */
    static OutputForm parse(String out) {
        if (out.startsWith("file://")) {
            return new BinaryCache(Path.of(out.substring("file://".length())));
        }
        Path path = Path.of(out);
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(".tgz")) {
            return new Tarball(path, Compression.GZIP);
        }
        for (Compression c : Compression.values()) {
            if (name.endsWith(".tar" + c.suffix())) {
                return new Tarball(path, c);
            }
            if (c != Compression.GZIP && name.endsWith(".nar" + c.suffix())) {
                return new Nar(path, c);
            }
        }
        return new Directory(path);
    }
}
