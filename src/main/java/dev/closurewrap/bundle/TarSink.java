package dev.closurewrap.bundle;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.ByteString;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A reproducible tarball ({@code .tar}, {@code .tar.gz}, {@code .tar.xz}, {@code .tar.zst}): the
 * same tree gives the same bytes, whatever the order entries were added in, the files' times,
 * owners or the file system's order. See {@link Reproducible} for the fixed values.
 *
 * <p>Entries are collected as metadata ({@link StagedTree}) and the archive is streamed into a temp
 * file beside the target that {@link #finish} renames over it: memory grows with the number of
 * entries, not their size. After {@link #announce} a writer thread streams the entries in the
 * announced order while they are still being added; otherwise {@link #finish} streams them in path
 * byte order. Compression runs on other
 * threads than reading and tar framing: zstd's own workers (see {@link Compression}), or one
 * thread for gzip and xz ({@link HandoffOutputStream}).
 *
 * <p>Names are written byte for byte (ISO-8859-1 maps each byte to one char and back); names and
 * link targets over 100 bytes use GNU long-name records, which keep arbitrary bytes (a PAX
 * {@code path} record would have to be UTF-8). Files over 8 GiB get a PAX size record.
 */
public final class TarSink extends StagedSink {
    private static final int BUFFER = 256 * 1024;

    private final Path target;
    private final Compression compression;
    private final int level;
    private final boolean durable;
    private boolean finished;
    /** Set by {@link #announce}: the archive is then written while entries are added. */
    private Streamer streamer;

    /**
     * @param target the archive to write; replaced atomically at {@link #finish}
     * @param compression how to compress the tar stream
     * @param level the compression level (see {@link Compression#defaultLevel()})
     * @param durable fsync the archive and its directory before {@link #finish} returns
     */
    public TarSink(Path target, Compression compression, int level, boolean durable) {
        super(target.toAbsolutePath());
        this.target = target.toAbsolutePath();
        this.compression = compression;
        this.level = level;
        this.durable = durable;
    }

    @Override
    public void announce(List<EntryPath> order) throws IOException {
        if (streamer != null) {
            throw new IllegalStateException("announce() called twice");
        }
        streamer = new Streamer(order);
        streamer.thread.start();
    }

    @Override
    public void directory(EntryPath path) throws IOException {
        expected(path);
        super.directory(path);
    }

    @Override
    public void file(EntryPath path, boolean executable, Path source) throws IOException {
        expected(path);
        super.file(path, executable, source);
    }

    @Override
    public void file(EntryPath path, boolean executable, InputStream content) throws IOException {
        expected(path);
        super.file(path, executable, content);
    }

    @Override
    public void symlink(EntryPath path, ByteString target) throws IOException {
        expected(path);
        super.symlink(path, target);
    }

    /** With an announced order: the entry must be in it, and the writer must not have failed. */
    private void expected(EntryPath path) throws IOException {
        if (streamer != null) {
            streamer.rethrowFailure();
            if (!streamer.announced.contains(path)) {
                throw new IllegalStateException(path + ": added to a tarball but not announced");
            }
        }
    }

    @Override
    public SinkSummary finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("finish() called twice");
        }
        long[] counts;
        Path temp;
        try {
            if (streamer != null) {
                temp = streamer.temp;
                try {
                    counts = streamer.awaitEnd();
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(temp);
                    throw e;
                }
            } else {
                counts = new long[4];
                temp = AtomicFiles.createTemp(target);
                try (TarArchiveOutputStream tar = open(temp)) {
                    byte[] buffer = new byte[BUFFER];
                    for (Map.Entry<EntryPath, StagedTree.Node> e : tree.complete().entrySet()) {
                        writeEntry(tar, e.getKey(), e.getValue(), buffer, counts);
                    }
                    tar.finish();
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(temp);
                    throw e;
                }
            }
            try {
                AtomicFiles.commit(temp, target, durable);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        } finally {
            tree.close();
        }
        finished = true;
        return new SinkSummary(counts[0], counts[1], counts[2], counts[3], 0, Files.size(target));
    }

    @Override
    public void close() throws IOException {
        try {
            if (streamer != null && !finished) {
                streamer.abandon();
            }
        } finally {
            super.close();
        }
    }

    /** The tar stream into {@code temp}, compressed; closing it closes the file. */
    private TarArchiveOutputStream open(Path temp) throws IOException {
        OutputStream file = Files.newOutputStream(temp);
        OutputStream compressed = compression.wrap(new BufferedOutputStream(file, BUFFER), level);
        // zstd is called through JNI: hand it large blocks, not tar's 10 KiB records.
        OutputStream handoff = compression == Compression.NONE ? compressed
                : compression == Compression.ZSTD ? new BufferedOutputStream(compressed, 1 << 20)
                : new HandoffOutputStream(compressed, "closure-wrap compressor");
        return newTarStream(handoff);
    }

    /**
     * Writes the announced entries in order on a thread of its own, each once it has been added:
     * the archive grows while the job still makes its entries.
     */
    private final class Streamer {
        final Set<EntryPath> announced = new HashSet<>();
        /** The announced order with the missing parents put before their first child. */
        private final List<EntryPath> order = new ArrayList<>();
        private final Set<EntryPath> implicit = new HashSet<>();
        final Path temp;
        final Thread thread;
        private final long[] counts = new long[4];
        private volatile Throwable failure;
        private volatile boolean done;

        Streamer(List<EntryPath> entries) throws IOException {
            announced.addAll(entries);
            if (announced.size() != entries.size()) {
                throw new IllegalArgumentException("an entry is announced twice");
            }
            Set<EntryPath> placed = new HashSet<>();
            for (EntryPath path : entries) {
                List<EntryPath> parents = new ArrayList<>();
                for (EntryPath p = path.parent().orElse(null); p != null && !announced.contains(p) && placed.add(p);
                        p = p.parent().orElse(null)) {
                    parents.add(0, p);
                    implicit.add(p);
                }
                order.addAll(parents);
                order.add(path);
            }
            temp = AtomicFiles.createTemp(target);
            thread = new Thread(this::run, "closure-wrap tar");
            thread.setDaemon(true);
        }

        private void run() {
            Set<EntryPath> directories = new HashSet<>();
            try (TarArchiveOutputStream tar = open(temp)) {
                byte[] buffer = new byte[BUFFER];
                for (EntryPath path : order) {
                    StagedTree.Node node = implicit.contains(path) ? new StagedTree.Directory() : tree.await(path);
                    if (node == null) {
                        return; // abandoned
                    }
                    Optional<EntryPath> parent = path.parent();
                    if (parent.isPresent() && !directories.contains(parent.get())) {
                        throw new IOException(path + ": its parent " + parent.get() + " is not a directory written before it");
                    }
                    if (node instanceof StagedTree.Directory) {
                        directories.add(path);
                    }
                    writeEntry(tar, path, node, buffer, counts);
                }
                tar.finish();
                done = true;
            } catch (Throwable e) {
                failure = e;
            }
        }

        void rethrowFailure() throws IOException {
            Throwable e = failure;
            if (e instanceof IOException io) {
                throw new IOException(target + ": " + io.getMessage(), io);
            } else if (e != null) {
                throw new IOException(target + ": writing the archive failed: " + e, e);
            }
        }

        /** Waits for the last entry to be written; fails if the writer failed or an entry never came. */
        long[] awaitEnd() throws IOException {
            try {
                // The writer's own failure first: it is the cause of whatever else went wrong.
                rethrowFailure();
                // Every announced entry has been added by now (the job adds all before finishing), or never will be.
                for (EntryPath path : announced) {
                    if (!tree.has(path)) {
                        abandon();
                        rethrowFailure();
                        throw new IOException(target + ": " + path + " was announced for the archive but never added");
                    }
                }
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon();
                throw new IOException(target + ": interrupted while writing the archive", e);
            }
            rethrowFailure();
            if (!done) {
                throw new IOException(target + ": the archive writer stopped early");
            }
            return counts;
        }

        void abandon() throws IOException {
            tree.abandon();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(temp);
        }
    }

    static TarArchiveOutputStream newTarStream(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.ISO_8859_1.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(false);
        return tar;
    }

    private static void writeEntry(TarArchiveOutputStream tar, EntryPath path, StagedTree.Node node, byte[] buffer,
                                   long[] counts) throws IOException {
        String name = latin1(path.bytes());
        TarArchiveEntry entry;
        if (node instanceof StagedTree.Directory) {
            entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR, true);
            entry.setMode(Reproducible.DIRECTORY_MODE);
            counts[0]++;
        } else if (node instanceof StagedTree.Symlink link) {
            entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            entry.setLinkName(latin1(link.target()));
            entry.setMode(Reproducible.SYMLINK_MODE);
            counts[2]++;
        } else {
            StagedTree.RegularFile file = (StagedTree.RegularFile) node;
            entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            entry.setMode(Reproducible.fileMode(file.executable()));
            entry.setSize(file.size());
            counts[1]++;
            counts[3] += file.size();
        }
        entry.setModTime(FileTime.from(Reproducible.MTIME_SECONDS, TimeUnit.SECONDS));
        entry.setUserId(Reproducible.OWNER_ID);
        entry.setGroupId(Reproducible.OWNER_ID);
        // The default entry carries the JVM user's name: overwrite it.
        entry.setUserName(Reproducible.OWNER_NAME);
        entry.setGroupName(Reproducible.OWNER_NAME);
        tar.putArchiveEntry(entry);
        if (node instanceof StagedTree.RegularFile file) {
            copyExactly(path, file, tar, buffer);
        }
        tar.closeArchiveEntry();
    }

    /** Copies the file's recorded size and no other: a file that changed since it was added is an error. */
    static void copyExactly(EntryPath path, StagedTree.RegularFile file, OutputStream out, byte[] buffer)
            throws IOException {
        long remaining = file.size();
        try (InputStream in = Files.newInputStream(file.source())) {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new IOException(path + ": " + file.source() + " changed while archiving: expected "
                            + String.format("%,d", file.size()) + " bytes, got " + String.format("%,d", file.size() - remaining));
                }
                out.write(buffer, 0, n);
                remaining -= n;
            }
            if (in.read() >= 0) {
                throw new IOException(path + ": " + file.source() + " changed while archiving: grew past "
                        + String.format("%,d", file.size()) + " bytes");
            }
        }
    }

    private static String latin1(ByteString bytes) {
        return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
