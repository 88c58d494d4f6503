package dev.closurewrap.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path temp;

    static JobRecord job(String root) {
        return new JobRecord(List.of(root), "relative", "out.tar.zst", Sha256.hash(new byte[] {1}), "test", 1000L);
    }

    static Sha256 h(String s) {
        return Sha256.hash(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static ByteString p(String s) {
        return ByteString.utf8(s);
    }

    private CheckpointStore open(JobRecord job) throws IOException {
        return CheckpointStore.open(temp.resolve("state"), job, CheckpointStore.OnOtherJob.REFUSE, SyncPolicy.batched(8));
    }

    @Test
    void batchedPolicy_forcesTheLogEveryNRecords_andWhenTheLastForceIsOld() throws IOException, InterruptedException {
        JobRecord job = job("/nix/store/aaa-foo");
        try (CheckpointStore store = CheckpointStore.open(temp.resolve("state"), job, CheckpointStore.OnOtherJob.REFUSE,
                SyncPolicy.batched(3, java.time.Duration.ofSeconds(1)))) {
            long base = store.syncCount();
            store.markDone(p("store/a/1"), h("i1"), h("p1"), h("o1"));
            store.markDone(p("store/a/2"), h("i2"), h("p2"), h("o2"));
            assertEquals(base, store.syncCount(), "two records of a batch of three, well within the delay");
            store.markDone(p("store/a/3"), h("i3"), h("p3"), h("o3"));
            assertEquals(base + 1, store.syncCount(), "the third record fills the batch");
            store.markDone(p("store/a/4"), h("i4"), h("p4"), h("o4"));
            assertEquals(base + 1, store.syncCount());
            Thread.sleep(1100);
            store.markDone(p("store/a/5"), h("i5"), h("p5"), h("o5"));
            assertEquals(base + 2, store.syncCount(), "the first record after the delay forces the log");
        }
    }

    @Test
    void reopenAfterClose_keepsJobAndEveryRecordKind() throws IOException {
        JobRecord job = job("/nix/store/aaa-foo");
        try (CheckpointStore store = open(job)) {
            store.register(p("store/a/pending"), h("i1"), h("p1"));
            store.markDone(p("store/a/done"), h("i2"), h("p2"), h("o2"));
            store.markCopiedUnchanged(p("store/a/copied"), h("i3"), h("p3"));
            store.markFailed(p("store/a/failed"), h("i4"), h("p4"), "bad ELF at 0x40: truncated");
        }
        try (CheckpointStore store = open(job)) {
            assertEquals(new FileState.Pending(), store.get(p("store/a/pending")).orElseThrow().state());
            assertEquals(new FileState.Done(h("o2")), store.get(p("store/a/done")).orElseThrow().state());
            assertEquals(Optional.of(h("i3")), store.get(p("store/a/copied")).orElseThrow().outputHash());
            assertEquals(new FileState.Failed("bad ELF at 0x40: truncated"),
                    store.get(p("store/a/failed")).orElseThrow().state());
            assertEquals(Optional.empty(), store.get(p("store/a/never")));
            JobStatus status = store.status(10);
            assertEquals(Optional.of(job), status.job());
            assertEquals(4, status.total());
            assertEquals(1, status.count(FileState.Kind.FAILED));
            assertEquals(List.of(p("store/a/failed")), status.failures().stream().map(FileRecord::path).toList());
        }
    }

    @Test
    void register_finishedWithSameInputAndPlan_isKept_otherwiseBecomesPending() throws IOException {
        try (CheckpointStore store = open(job("/r"))) {
            store.markDone(p("f"), h("in"), h("plan"), h("out"));
            assertTrue(store.register(p("f"), h("in"), h("plan")).state().isFinished());
            assertEquals(new FileState.Done(h("out")), store.get(p("f")).orElseThrow().state());

            assertEquals(new FileState.Pending(), store.register(p("f"), h("in"), h("other plan")).state());
            assertEquals(new FileState.Pending(), store.get(p("f")).orElseThrow().state());
        }
    }

    @Test
    void otherJob_isRefusedWithBothCommandsInTheMessage() throws IOException {
        try (CheckpointStore store = open(job("/nix/store/aaa-foo"))) {
            store.markDone(p("f"), h("in"), h("plan"), h("out"));
        }
        JobMismatchException e = assertThrows(JobMismatchException.class, () -> open(job("/nix/store/bbb-bar")));
        assertTrue(e.getMessage().contains("/nix/store/aaa-foo"), e.getMessage());
        assertTrue(e.getMessage().contains("/nix/store/bbb-bar"), e.getMessage());
        // The refused open changed nothing.
        try (CheckpointStore store = open(job("/nix/store/aaa-foo"))) {
            assertTrue(store.get(p("f")).isPresent());
        }
    }

    @Test
    void otherJob_restart_dropsFileRecordsButKeepsResultIndex() throws IOException {
        try (CheckpointStore store = open(job("/nix/store/aaa-foo"))) {
            store.markDone(p("store/aaa-foo/lib/libz.so"), h("in"), h("plan"), h("out"));
        }
        JobRecord other = job("/nix/store/bbb-bar");
        try (CheckpointStore store = CheckpointStore.open(temp.resolve("state"), other,
                CheckpointStore.OnOtherJob.RESTART, SyncPolicy.EVERY_RECORD)) {
            assertEquals(0, store.status(10).total());
            assertEquals(Optional.of(new ReusableResult(h("out"), p("store/aaa-foo/lib/libz.so"))),
                    store.reusableResult(h("in"), h("plan")));
            assertEquals(Optional.empty(), store.reusableResult(h("in"), h("another plan")));
        }
        try (CheckpointStore store = open(other)) {
            assertEquals(Optional.of(other), store.status(0).job());
        }
    }

    @Test
    void concurrentWriters_everyRecordLands() throws Exception {
        int threads = 6;
        int perThread = 400;
        try (CheckpointStore store = open(job("/r"))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        ByteString path = p("store/x/t" + thread + "/f" + i);
                        store.register(path, h("in" + i), h("plan"));
                        if (i % 10 == 0) {
                            store.markFailed(path, h("in" + i), h("plan"), "failed " + i);
                        } else {
                            store.markDone(path, h("in" + i), h("plan"), h("out" + i));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            JobStatus status = store.status(1000);
            assertEquals(threads * perThread, status.total());
            assertEquals(threads * perThread / 10, status.count(FileState.Kind.FAILED));
            assertEquals(0, status.count(FileState.Kind.PENDING));
            assertEquals(perThread - perThread / 10, status.reusableResults());
        }
    }

    @Test
    void readStatus_worksWhileAJobHoldsTheDatabase() throws IOException {
        try (CheckpointStore store = open(job("/r"))) {
            store.markDone(p("a"), h("i"), h("p"), h("o"));
            store.sync();
            JobStatus status = CheckpointStore.readStatus(temp.resolve("state"), 5);
            assertEquals(1, status.count(FileState.Kind.DONE));
            assertFalse(status.finished());
            store.markFinished();
        }
        assertTrue(CheckpointStore.readStatus(temp.resolve("state"), 5).finished());
    }

    @Test
    void secondWriter_isToldAnotherJobHoldsTheStateDirectory() throws IOException {
        try (CheckpointStore store = open(job("/r"))) {
            StateDirectoryBusyException e = assertThrows(StateDirectoryBusyException.class, () -> open(job("/r")));
            assertTrue(e.getMessage().startsWith(temp.resolve("state") + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("another closure-wrap job"), e.getMessage());
            assertEquals(temp.resolve("state"), e.stateDirectory());
        }
        try (CheckpointStore again = open(job("/r"))) {
            assertEquals(job("/r"), again.job()); // the lock goes with the first job
        }
    }

    @Test
    void referencedOutputs_areThoseOfDoneRecordsAndOfTheResultIndex_keptAcrossARestart() throws IOException {
        try (CheckpointStore store = open(job("/first"))) {
            store.markDone(p("a"), h("ia"), h("p"), h("oa"));
            store.markFailed(p("f"), h("if"), h("p"), "bad");
            store.markCopiedUnchanged(p("c"), h("ic"), h("p"));
        }
        try (CheckpointStore store = CheckpointStore.open(temp.resolve("state"), job("/second"),
                CheckpointStore.OnOtherJob.RESTART, SyncPolicy.batched(8))) {
            store.markDone(p("b"), h("ib"), h("p"), h("ob"));
            store.register(p("pending"), h("ip"), h("p"));
            // "a"'s record went with the first job; its result-index entry stays.
            assertEquals(java.util.Set.of(h("oa"), h("ob")), store.referencedOutputs());
        }
    }

    @Test
    void readStatus_onDirectoryWithoutDatabase_saysSo() {
        IOException e = assertThrows(IOException.class, () -> CheckpointStore.readStatus(temp, 5));
        assertTrue(e.getMessage().contains("no checkpoint database"), e.getMessage());
    }

    @Test
    void knownHashes_answerOnlyForTheSameIdentity_andOutliveReopenAndAnotherJob() throws IOException {
        Path file = temp.resolve("lib.so");
        dev.closurewrap.io.FileIdentity identity = new dev.closurewrap.io.FileIdentity(2049, 77, 1000, 1_000_000_000L, 5_000_000_000L);
        try (CheckpointStore store = open(job("/nix/store/aaa-foo"))) {
            assertEquals(Optional.empty(), store.knownHashes().sha256(file, identity));
            store.knownHashes().remember(file, identity, h("content").hex());
            assertEquals(Optional.of(h("content").hex()), store.knownHashes().sha256(file, identity));
            // Any field that moves on a change makes the entry miss: a rewrite (ctime), a new inode, another size.
            assertEquals(Optional.empty(), store.knownHashes().sha256(file,
                    new dev.closurewrap.io.FileIdentity(2049, 77, 1000, 1_000_000_000L, 5_000_000_001L)));
            assertEquals(Optional.empty(), store.knownHashes().sha256(file,
                    new dev.closurewrap.io.FileIdentity(2049, 78, 1000, 1_000_000_000L, 5_000_000_000L)));
            assertEquals(Optional.empty(), store.knownHashes().sha256(file,
                    new dev.closurewrap.io.FileIdentity(2049, 77, 1001, 1_000_000_000L, 5_000_000_000L)));
            assertEquals(Optional.empty(), store.knownHashes().sha256(temp.resolve("other.so"), identity));
        }
        // Kept, like the result index, when the state directory is taken over by another command.
        try (CheckpointStore store = CheckpointStore.open(temp.resolve("state"), job("/nix/store/bbb-bar"),
                CheckpointStore.OnOtherJob.RESTART, SyncPolicy.batched(8))) {
            assertEquals(Optional.of(h("content").hex()), store.knownHashes().sha256(file, identity));
        }
    }
}
