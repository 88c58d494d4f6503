package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
