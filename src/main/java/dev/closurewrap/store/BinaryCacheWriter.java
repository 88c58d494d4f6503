package dev.closurewrap.store;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.TeeOutputStream;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarNode;
import dev.closurewrap.nar.NarReader;
import dev.closurewrap.nar.NarWriter;
import dev.closurewrap.nar.WireSink;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes a local binary cache that {@code nix copy --from file://DIR} accepts: the NAR compressed
 * into {@code nar/<FileHash>.nar.<ext>}, then {@code <hash part>.narinfo} with NarHash, NarSize,
 * FileHash, FileSize and References computed on the way. Both files appear by atomic rename, the
 * narinfo last, so a reader never sees a narinfo without its NAR. Durable (as a checkpointed job
 * needs), each file is fsynced before its rename and its directory after it
 * ({@link AtomicFiles#commit}): a narinfo that survives a power cut names a NAR that survived too.
 * Signs with a Nix secret key if given; signatures from an input narinfo are kept only when the
 * content they sign is unchanged.
 */
public final class BinaryCacheWriter {
    /** A cache is served to others: its files are world-readable whatever the umask. */
    private static final Set<PosixFilePermission> PUBLIC_READ = PosixFilePermissions.fromString("rw-r--r--");

    private final Path dir;
    private final StoreDir storeDir;
    private final NarCompression compression;
    private final SigningKey key;
    private final boolean durable;

    /** A NAR file written into the cache, not yet described by a narinfo. */
    public record NarFile(String url, Hash fileHash, long fileSize, NarDigest nar) {}

    /**
     * @param key signing key, or null for unsigned narinfo files
     * @param durable fsync every file and directory entry before the next file depends on it
     */
    public BinaryCacheWriter(Path dir, StoreDir storeDir, NarCompression compression, SigningKey key, boolean durable)
            throws IOException {
        this.dir = dir.toAbsolutePath();
        this.storeDir = storeDir;
        this.compression = compression;
        this.key = key;
        this.durable = durable;
        Files.createDirectories(this.dir.resolve("nar"));
        if (durable) {
            // The nar/ entry, and the cache directory's own if it was just made.
            AtomicFiles.fsyncDirectory(this.dir);
            if (this.dir.getParent() != null) {
                AtomicFiles.fsyncDirectory(this.dir.getParent());
            }
        }
        Path info = dir.resolve("nix-cache-info");
        if (Files.exists(info)) {
            StoreDir existing = BinaryCache.open(dir).storeDir();
            if (!existing.equals(storeDir)) {
                throw new BadInputException(BinaryCache.FORMAT, info.toString(), BadInputException.NO_OFFSET,
                        "cache is for " + existing.path() + ", not " + storeDir.path());
            }
        } else {
            writeAtomically(info, "StoreDir: " + storeDir.path() + "\n");
        }
    }

    /** Writes a path's NAR and its narinfo. */
    public NarInfo add(StorePath path, Collection<StorePath> references, Optional<StorePath> deriver, Optional<String> ca,
            ExportWriter.NarSource nar) throws IOException {
        return publish(path, references, deriver, ca, writeNar(nar), null);
    }

    /** Copies a path from another cache, re-checking and re-hashing its archive. */
    public NarInfo copy(BinaryCache from, NarInfo info) throws IOException {
        NarFile file = writeNar(writer -> from.readNar(info, reader -> copyNodes(reader, writer)));
        return publish(info.storePath(), info.references(), info.deriver(), info.ca(), file, info);
    }

    /** Every node of {@code reader} into {@code writer}, contents streamed. */
    public static void copyNodes(NarReader reader, NarWriter writer) throws IOException {
        for (NarNode node; (node = reader.next()) != null; ) {
            writer.node(node, node instanceof NarNode.Regular ? reader.contents() : null);
        }
        writer.finish();
    }

    /** Compresses an archive into {@code nar/}, hashing both the archive and the file. */
    public NarFile writeNar(ExportWriter.NarSource nar) throws IOException {
        return writeNar(nar, null);
    }

    /**
     * Like {@link #writeNar(ExportWriter.NarSource)}, also handing every byte of the uncompressed
     * archive to {@code tap} (may be null): where a caller scans for references as Nix does.
     */
    public NarFile writeNar(ExportWriter.NarSource nar, OutputStream tap) throws IOException {
        Path tmp = Files.createTempFile(dir.resolve("nar"), ".writing-", ".tmp");
        try {
            MessageDigest fileDigest = HashAlgorithm.SHA256.newDigest();
            CountingOutputStream counted;
            NarDigest digest;
            try (OutputStream file = Files.newOutputStream(tmp)) {
                counted = new CountingOutputStream(file, fileDigest);
                OutputStream compressed = compression.compress(counted);
                OutputStream archive = tap == null ? compressed : new TeeOutputStream(compressed, tap);
                WireSink sink = new WireSink(java.nio.channels.Channels.newChannel(archive));
                NarWriter writer = new NarWriter(sink, "nar", true);
                nar.writeTo(writer);
                digest = writer.finish();
                sink.flush();
                compressed.close();
            }
            Hash fileHash = Hash.of(HashAlgorithm.SHA256, fileDigest.digest());
            String url = "nar/" + fileHash.toNix32() + ".nar" + compression.extension();
            Files.setPosixFilePermissions(tmp, PUBLIC_READ);
            AtomicFiles.commit(tmp, dir.resolve(url), durable);
            return new NarFile(url, fileHash, counted.count, digest);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Writes the narinfo of {@code path} for {@code file}. {@code original} (may be null) is the
     * narinfo the content came from: its signatures are kept if path, NarHash, NarSize and
     * references are the same, since those are what they sign.
     */
    public NarInfo publish(StorePath path, Collection<StorePath> references, Optional<StorePath> deriver,
            Optional<String> ca, NarFile file, NarInfo original) throws IOException {
        Hash narHash = Hash.of(file.nar());
        NarInfo info = new NarInfo(path, file.url(), compression.nixName(), Optional.of(file.fileHash()),
                OptionalLong.of(file.fileSize()), narHash, file.nar().size(), new TreeSet<>(references), deriver,
                Optional.empty(), List.of(), ca);
        List<String> sigs = new ArrayList<>();
        if (original != null && original.storePath().equals(path) && original.narHash().equals(narHash)
                && original.narSize() == file.nar().size() && original.references().equals(info.references())) {
            sigs.addAll(original.sigs());
        }
        if (key != null) {
            sigs.removeIf(s -> s.startsWith(key.name() + ":"));
            sigs.add(key.sign(info.fingerprint(storeDir)));
        }
        info = info.withSigs(sigs);
        writeAtomically(dir.resolve(path.hashPart() + ".narinfo"), info.render(storeDir));
        return info;
    }

    private void writeAtomically(Path file, String text) throws IOException {
        Path tmp = AtomicFiles.createTemp(file);
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PUBLIC_READ);
            AtomicFiles.commit(tmp, file, durable);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Counts and hashes what reaches the file. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private final MessageDigest digest;
        long count;

        CountingOutputStream(OutputStream out, MessageDigest digest) {
            super(out);
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }
    }
}
