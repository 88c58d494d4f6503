package dev.closurewrap.bundle;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ParallelIo;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.store.BinaryCacheWriter;
import dev.closurewrap.store.HashPartMatcher;
import dev.closurewrap.store.NarInfo;
import dev.closurewrap.store.SigningKey;
import dev.closurewrap.store.StoreDir;
import dev.closurewrap.store.StorePath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code -o file://DIR}: a binary cache of the output's store paths, which {@code nix copy --from
 * file://DIR} imports. Each {@code store/<hash>-<name>} written becomes one compressed NAR in
 * {@code nar/} and a fresh {@code <hash>.narinfo} with NarHash, NarSize, FileHash and FileSize of
 * what was written, and References recomputed the way Nix finds them: the uncompressed NAR is
 * scanned for the hash parts of every store path in the output (a path's own hash included).
 * Signed ({@code Sig:}) only with a secret key. Entries outside {@code store/} (launchers, the
 * manifest) have no place in a cache and are left out. The narinfo of a path appears after its NAR.
 */
public final class BinaryCacheSink extends StagedSink {
    private final Path directory;
    private final StoreDir storeDir;
    private final NarCompression compression;
    private final Optional<SigningKey> key;
    private final boolean durable;
    private final List<NarInfo> written = new ArrayList<>();

    /**
     * @param directory the cache directory (created if missing; an existing cache for the same store is added to)
     * @param storeDir the store the paths belong to, as narinfo files name them
     * @param compression how the NARs are compressed
     * @param key the secret key to sign with, if any
     * @param durable fsync each NAR and its directory entry before its narinfo, and each narinfo
     *     before {@link #finish} returns
     */
    public BinaryCacheSink(Path directory, StoreDir storeDir, NarCompression compression, Optional<SigningKey> key,
                           boolean durable) {
        super(directory.toAbsolutePath());
        this.directory = directory.toAbsolutePath();
        this.storeDir = Objects.requireNonNull(storeDir, "storeDir");
        this.compression = Objects.requireNonNull(compression, "compression");
        this.key = Objects.requireNonNull(key, "key");
        this.durable = durable;
    }

    @Override
    public SinkSummary finish() throws IOException {
        try {
            NavigableMap<EntryPath, StagedTree.Node> entries = tree.complete();
            Map<Optional<EntryPath>, List<EntryPath>> children = NarSink.children(entries);
            Map<String, StorePath> byHash = new HashMap<>();
            Map<EntryPath, StorePath> paths = new java.util.LinkedHashMap<>();
            for (EntryPath entry : NarSink.storePaths(entries)) {
                StorePath path;
                try {
                    path = StorePath.parseBaseName(entry.name().utf8());
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("binary cache", entry.toString(), BadInputException.NO_OFFSET,
                            "not a store path: " + e.getMessage());
                }
                paths.put(entry, path);
                byHash.put(path.hashPart(), path);
            }
            HashPartMatcher matcher = new HashPartMatcher(byHash.keySet());
            BinaryCacheWriter cache = new BinaryCacheWriter(directory, storeDir, compression, key.orElse(null), durable);
            // Compression dominates: one store path per core.
            int cores = Runtime.getRuntime().availableProcessors();
            List<long[]> results = ParallelIo.map(cores, new ArrayList<>(paths.entrySet()), e -> {
                long[] counts = new long[5];
                HashPartMatcher.Scan scan = matcher.scan();
                BinaryCacheWriter.NarFile nar = cache.writeNar(
                        writer -> {
                            NarOutput out = new NarOutput(writer);
                            NarSink.writeNode(out, e.getKey(), entries, children, counts);
                            out.finish();
                        },
                        new ScanningStream(scan));
                TreeSet<StorePath> references = new TreeSet<>();
                scan.hits().forEach(hash -> references.add(byHash.get(hash)));
                NarInfo info = cache.publish(e.getValue(), references, Optional.empty(), Optional.empty(), nar, null);
                synchronized (written) {
                    written.add(info);
                }
                counts[4] = nar.fileSize();
                return counts;
            }, "writing the binary cache");
            long[] counts = new long[5];
            for (long[] r : results) {
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += r[i];
                }
            }
            long bytes = counts[4];
            return new SinkSummary(counts[0], counts[1], counts[2], counts[3], 0, bytes);
        } finally {
            tree.close();
        }
    }

    /** The narinfo of every path written. */
    public List<NarInfo> written() {
        synchronized (written) {
            return List.copyOf(written);
        }
    }

    /** Feeds the archive's bytes to a reference scan, as one stream: Nix scans the whole NAR. */
    private static final class ScanningStream extends OutputStream {
        private final HashPartMatcher.Scan scan;

        ScanningStream(HashPartMatcher.Scan scan) {
            this.scan = scan;
        }

        @Override
        public void write(int b) {
            scan.update(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            scan.update(b, off, len);
        }
    }
}
