package dev.closurewrap.bundle;

import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.FileRecord;
import dev.closurewrap.checkpoint.FileState;
import dev.closurewrap.checkpoint.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps {@code STATE/staged} from growing with files nothing will read again, and the result
 * index and the known input hashes from keeping entries that point at nothing. A staged file
 * ({@code staged/<output sha256>}) serves two readers: a resumed job building an archive or cache
 * from its DONE records, and any later job reusing a rewrite by (input hash, plan hash) through
 * the result index. Once a job has finished, everything else there is dead: the staged manifests,
 * rewrites a killed run staged but never recorded, and temp files of killed writers. Runs only
 * while the job holds the state directory's lock, so no other writer is half-way through a file.
 */
final class StagedPruner {
    private static final Pattern STAGED = Pattern.compile("[0-9a-f]{64}");
    /** {@code .rewrite-N.tmp} (a rewrite being written) and {@code .NAME.tmp-RANDOM} ({@code AtomicFiles}). */
    private static final Pattern TEMP = Pattern.compile("\\.rewrite-.*\\.tmp|\\..*\\.tmp-[0-9a-z]+");

    private StagedPruner() {}

    /** What was removed: staged files and their bytes, result-index entries, known hashes. */
    record Pruned(long files, long bytes, long results, long knownHashes) {}

    /** {@link #prune(CheckpointStore, Path, long)} without a size limit. */
    static Pruned prune(CheckpointStore store, Path staged) throws IOException {
        return prune(store, staged, Long.MAX_VALUE);
    }

    /**
     * Removes from {@code staged} every temp file and every staged output no record or result-index
     * entry of {@code store} names. Files of other names are not ours and stay. Then, while the
     * staged outputs are larger than {@code limitBytes} together, the least recently used go
     * ({@link CheckpointStore#lastUsed}), except those this job's own records name: the next job
     * rewrites what it would have reused. A staged file is counted whole, even where a directory
     * output shares its inode.
     */
    static Pruned prune(CheckpointStore store, Path staged, long limitBytes) throws IOException {
        Set<Sha256> named = store.referencedOutputs();
        List<Path> dead = new ArrayList<>();
        List<Path> kept = new ArrayList<>();
        try (Stream<Path> entries = Files.list(staged)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                boolean output = STAGED.matcher(name).matches();
                if ((output && !named.contains(Sha256.fromHex(name))) || TEMP.matcher(name).matches()) {
                    dead.add(p);
                } else if (output) {
                    kept.add(p);
                }
            }
        }
        dead.addAll(overLimit(store, kept, limitBytes));
        long bytes = 0;
        for (Path p : dead) {
            bytes += Files.size(p);
            Files.delete(p);
        }
        // The indexes shrink with what they point at: a result whose staged file is gone can never
        // be reused, a hash of a file no longer there (a collected store path) never matched.
        long results = store.forgetResults(hash -> Files.isRegularFile(staged.resolve(hash.hex()), LinkOption.NOFOLLOW_LINKS));
        long hashes = store.forgetKnownHashes(file -> Files.exists(file, LinkOption.NOFOLLOW_LINKS));
        return new Pruned(dead.size(), bytes, results, hashes);
    }

    /** The staged outputs to remove, least recently used first, for the rest to fit in {@code limitBytes}. */
    private static List<Path> overLimit(CheckpointStore store, List<Path> kept, long limitBytes) throws IOException {
        Map<Path, Long> sizes = new HashMap<>();
        long total = 0;
        for (Path p : kept) {
            long size = Files.size(p);
            sizes.put(p, size);
            total += size;
        }
        if (total <= limitBytes) {
            return List.of();
        }
        Set<Sha256> thisJob = new HashSet<>();
        for (FileRecord record : store.records()) {
            if (record.state() instanceof FileState.Done done) {
                thisJob.add(done.outputHash());
            }
        }
        Map<Sha256, Long> lastUsed = store.lastUsed();
        List<Path> candidates = new ArrayList<>();
        for (Path p : kept) {
            if (!thisJob.contains(Sha256.fromHex(p.getFileName().toString()))) {
                candidates.add(p);
            }
        }
        // Oldest use first; never noted counts as oldest; the name breaks ties, so the choice is the same every time.
        candidates.sort(Comparator.<Path>comparingLong(p -> lastUsed.getOrDefault(Sha256.fromHex(p.getFileName().toString()), 0L))
                .thenComparing(p -> p.getFileName().toString()));
        List<Path> out = new ArrayList<>();
        for (Path p : candidates) {
            if (total <= limitBytes) {
                break;
            }
            out.add(p);
            total -= sizes.get(p);
        }
        return out;
    }

    /** {@link #prune} after the job finished: its output is complete, so a failure here is only a warning. */
    static void afterFinishedJob(CheckpointStore store, Path staged, long limitBytes, Consumer<String> warning) {
        try {
            prune(store, staged, limitBytes);
        } catch (IOException e) {
            warning.accept(staged + ": could not remove staged files no job needs: " + e.getMessage());
        }
    }
}
