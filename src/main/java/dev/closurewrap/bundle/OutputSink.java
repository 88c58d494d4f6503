package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Where the wrap job puts the output tree: a directory, a reproducible tarball, a NAR. Entries may
 * come in any order and from many threads; parent directories that were never added are created
 * (directory mode 0755). Each sink decides the final layout: archives are sorted by path bytes,
 * whatever the order of the calls. Nothing is visible at the output path until {@link #finish}
 * returns (archives), or each file appears whole (directory). {@link #close} without
 * {@link #finish} abandons the output and removes temporary files.
 *
 * <p>Implementations: {@link DirectorySink}, {@link TarSink}, {@link NarSink} (one store path's NAR)
 * and {@link BinaryCacheSink} (a {@code file://} binary cache: one NAR and a fresh narinfo per store
 * path); {@link Sinks#open} chooses one by the form of {@code -o}.
 */
public interface OutputSink extends Closeable {
    /** A directory (mode 0755). Adding an existing directory again is allowed. */
    void directory(EntryPath path) throws IOException;

    /**
     * A regular file whose content is the file {@code source} (mode 0555 if executable, else 0444).
     * The source must stay unchanged until {@link #finish}: archive sinks read it then, and a
     * directory sink in link mode may hard-link it.
     */
    void file(EntryPath path, boolean executable, Path source) throws IOException;

    /**
     * A regular file whose content is {@code content}, read to its end before the call returns (not
     * closed). Archive sinks spool it to a temporary file, so memory stays bounded.
     */
    void file(EntryPath path, boolean executable, InputStream content) throws IOException;

    /** A symbolic link; {@code target} is stored as given (it may be relative with {@code ..}). */
    void symlink(EntryPath path, ByteString target) throws IOException;

    /**
     * The job's roots, as {@code store/<hash>-<name>} entries: a NAR output holds the tree of its one
     * root (see {@link NarSink}). Other sinks write every entry and ignore this. Call before
     * {@link #finish}.
     */
    default void roots(java.util.List<EntryPath> roots) throws IOException {
    }

    /**
     * Says up front which entries will be added, in the order the output should hold them: an
     * archive can then be written while the entries are still being made, each as soon as it and
     * all before it are there, instead of after the last one. Every entry added afterwards must be
     * in {@code order}; parents missing from it are written just before their first child. Call at
     * most once, before adding entries. Sinks that gain nothing from it ignore it.
     */
    default void announce(java.util.List<EntryPath> order) throws IOException {
    }

    /** Writes what is still pending and commits the output; afterwards it is complete and durable. */
    SinkSummary finish() throws IOException;

    /** Releases resources; without a prior {@link #finish}, abandons the output. */
    @Override
    void close() throws IOException;
}
