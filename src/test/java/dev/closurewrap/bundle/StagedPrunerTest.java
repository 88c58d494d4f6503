package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.JobRecord;
import dev.closurewrap.checkpoint.Sha256;
import dev.closurewrap.checkpoint.SyncPolicy;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedPrunerTest {
    @TempDir
    Path temp;

    private static Sha256 h(String s) {
        return Sha256.hash(s.getBytes(StandardCharsets.UTF_8));
    }

    private static JobRecord job(String root) {
        return new JobRecord(List.of(root), "relative", "out", h("options"), "test", 0L);
    }

    @Test
    void prune_keepsWhatRecordsAndTheResultIndexName_removesOtherOutputsAndTempFiles() throws IOException {
        Path state = temp.resolve("state");
        Path staged = Files.createDirectories(state.resolve("staged"));
        for (String name : List.of(h("done").hex(), h("indexed").hex(), h("orphan").hex(), ".rewrite-7.tmp",
                "." + h("manifest").hex() + ".tmp-z9", "notes.txt")) {
            Files.writeString(staged.resolve(name), name);
        }
        Files.createDirectory(staged.resolve(h("a directory").hex()));
        try (CheckpointStore first = CheckpointStore.open(state, job("/first"), CheckpointStore.OnOtherJob.RESTART,
                SyncPolicy.EVERY_RECORD)) {
            first.markDone(ByteString.utf8("store/x/old"), h("i1"), h("p"), h("indexed"));
        }
        try (CheckpointStore store = CheckpointStore.open(state, job("/second"), CheckpointStore.OnOtherJob.RESTART,
                SyncPolicy.EVERY_RECORD)) {
            store.markDone(ByteString.utf8("store/x/new"), h("i2"), h("p"), h("done"));
            StagedPruner.Pruned pruned = StagedPruner.prune(store, staged);
            assertEquals(3, pruned.files());
        }
        try (var left = Files.list(staged)) {
            assertEquals(List.of(h("a directory").hex(), h("done").hex(), h("indexed").hex(), "notes.txt").stream()
                    .sorted().toList(), left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void prune_forgetsResultsWhoseStagedFileIsGone_andHashesOfFilesNoLongerThere() throws IOException {
        Path state = temp.resolve("state");
        Path staged = Files.createDirectories(state.resolve("staged"));
        Files.writeString(staged.resolve(h("kept").hex()), "kept");
        Path present = Files.writeString(temp.resolve("present"), "x");
        Path collected = temp.resolve("collected");
        var identity = new dev.closurewrap.io.FileIdentity(1, 2, 1, 0, 0);
        try (CheckpointStore store = CheckpointStore.open(state, job("/one"), CheckpointStore.OnOtherJob.RESTART,
                SyncPolicy.EVERY_RECORD)) {
            store.markDone(ByteString.utf8("store/x/kept"), h("i1"), h("p"), h("kept"));
            // An earlier job's result whose staged file someone deleted.
            store.markDone(ByteString.utf8("store/x/lost"), h("i2"), h("p"), h("lost"));
            store.knownHashes().remember(present, identity, h("x").hex());
            store.knownHashes().remember(collected, identity, h("y").hex());

            StagedPruner.Pruned pruned = StagedPruner.prune(store, staged);
            assertEquals(1, pruned.results());
            assertEquals(1, pruned.knownHashes());
            assertTrue(store.reusableResult(h("i1"), h("p")).isPresent());
            assertTrue(store.reusableResult(h("i2"), h("p")).isEmpty());
            assertEquals(java.util.Optional.of(h("x").hex()), store.knownHashes().sha256(present, identity));
            assertTrue(store.knownHashes().sha256(collected, identity).isEmpty());
        }
    }

    @Test
    void prune_overTheLimit_removesTheLeastRecentlyUsed_butNeverWhatTheFinishedJobRecorded() throws Exception {
        Path state = temp.resolve("state");
        Path staged = Files.createDirectories(state.resolve("staged"));
        for (String name : List.of("a", "b", "c", "d")) {
            Files.write(staged.resolve(h(name).hex()), new byte[100]);
        }
        try (CheckpointStore earlier = CheckpointStore.open(state, job("/earlier"), CheckpointStore.OnOtherJob.RESTART,
                SyncPolicy.EVERY_RECORD)) {
            // Used in this order by an earlier job: d, a, b, c (d the longest ago).
            for (String name : List.of("d", "a", "b", "c")) {
                earlier.markDone(ByteString.utf8("store/x/" + name), h("in-" + name), h("p"), h(name));
                Thread.sleep(5);
            }
        }
        try (CheckpointStore store = CheckpointStore.open(state, job("/now"), CheckpointStore.OnOtherJob.RESTART,
                SyncPolicy.EVERY_RECORD)) {
            // The job that just finished made d again (with another input): d is this job's, and new again.
            store.markDone(ByteString.utf8("store/y/d"), h("other-in"), h("p"), h("d"));
            Thread.sleep(5);
            store.markUsed(h("a")); // and reused a: now b is the least recently used
            StagedPruner.Pruned pruned = StagedPruner.prune(store, staged, 250);
            assertEquals(2, pruned.files(), "400 bytes down to 200: two of 100 go");
            assertEquals(200, pruned.bytes());
            try (var left = Files.list(staged)) {
                assertEquals(List.of(h("a").hex(), h("d").hex()).stream().sorted().toList(),
                        left.map(p -> p.getFileName().toString()).sorted().toList());
            }
            assertTrue(store.reusableResult(h("in-b"), h("p")).isEmpty(), "the index forgets what went");
            assertTrue(store.reusableResult(h("in-a"), h("p")).isPresent());
            // Under a limit of 0 only the finished job's own rewrite stays.
            StagedPruner.prune(store, staged, 0);
            try (var left = Files.list(staged)) {
                assertEquals(List.of(h("d").hex()), left.map(p -> p.getFileName().toString()).toList());
            }
        }
    }
}
