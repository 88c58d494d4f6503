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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A reproducible tarball ({@code .tar}, {@code .tar.gz}, {@code .tar.xz}, {@code .tar.zst}): the
 * same tree gives the same bytes, whatever the order entries were added in, the files' times,
 * owners or the file system's order. See {@link Reproducible} for the fixed values.
 *
 * <p>Entries are collected as metadata ({@link StagedTree}) and the archive is streamed at
 * {@link #finish}, in path byte order, into a temp file beside the target that is then renamed
 * over it: memory grows with the number of entries, not their size. Compression runs on other
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
    public SinkSummary finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("finish() called twice");
        }
        Map<EntryPath, StagedTree.Node> entries = tree.complete();
        long[] counts = new long[4];
        Path temp = AtomicFiles.createTemp(target);
        try {
            try (OutputStream file = Files.newOutputStream(temp);
                 OutputStream compressed = compression.wrap(new BufferedOutputStream(file, BUFFER), level);
                 OutputStream handoff = compression == Compression.NONE || compression == Compression.ZSTD
                         ? compressed : new HandoffOutputStream(compressed, "closure-wrap compressor");
                 TarArchiveOutputStream tar = newTarStream(handoff)) {
                byte[] buffer = new byte[BUFFER];
                for (Map.Entry<EntryPath, StagedTree.Node> e : entries.entrySet()) {
                    writeEntry(tar, e.getKey(), e.getValue(), buffer, counts);
                }
                tar.finish();
            }
            AtomicFiles.commit(temp, target, durable);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            tree.close();
        }
        finished = true;
        return new SinkSummary(counts[0], counts[1], counts[2], counts[3], 0, Files.size(target));
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
