package dev.closurewrap.bundle;

import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Removes from {@code staged} every temp file and every staged output no record or result-index
     * entry of {@code store} names. Files of other names are not ours and stay.
     */
    static Pruned prune(CheckpointStore store, Path staged) throws IOException {
        Set<Sha256> named = store.referencedOutputs();
        List<Path> dead = new ArrayList<>();
        try (Stream<Path> entries = Files.list(staged)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                boolean unnamedOutput = STAGED.matcher(name).matches() && !named.contains(Sha256.fromHex(name));
                if ((unnamedOutput || TEMP.matcher(name).matches()) && Files.isRegularFile(p)) {
                    dead.add(p);
                }
            }
        }
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

    /** {@link #prune} after the job finished: its output is complete, so a failure here is only a warning. */
    static void afterFinishedJob(CheckpointStore store, Path staged, Consumer<String> warning) {
        try {
            prune(store, staged);
        } catch (IOException e) {
            warning.accept(staged + ": could not remove staged files no job needs: " + e.getMessage());
        }
    }
}
