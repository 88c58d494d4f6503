package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.bundle.ProgressListener.Outcome;
import dev.closurewrap.bundle.ProgressListener.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
    private static final long MIB = 1 << 20;
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final ProgressTracker tracker = new ProgressTracker(clock::get);

    private void advanceMillis(long ms) {
        clock.addAndGet(ms * 1_000_000);
    }

    @Test
    void beforeAnyPhase_nothingIsKnown() {
        ProgressSnapshot s = tracker.snapshot();
        assertEquals(Optional.empty(), s.phase());
        assertEquals(Optional.empty(), s.eta());
        assertEquals(Duration.ZERO, tracker.summary().duration());
    }

    @Test
    void rateIsBytesPerSecondOfThePhase_etaIsBytesLeftAtThatRate() {
        tracker.phaseStarted(Phase.REWRITE, 10, 100 * MIB);
        advanceMillis(2000);
        tracker.fileDone("a", 10 * MIB, Outcome.REWRITTEN);
        tracker.fileDone("b", 10 * MIB, Outcome.UNCHANGED);
        ProgressSnapshot s = tracker.snapshot();
        assertEquals(2, s.filesDone());
        assertEquals(20 * MIB, s.bytesDone());
        assertEquals(10.0 * MIB, s.bytesPerSecond(), 1e-6);
        assertEquals(Optional.of(Duration.ofSeconds(8)), s.eta());
        assertEquals(Optional.of(0.2), s.fraction());
        assertEquals(Duration.ofSeconds(2), s.phaseElapsed());
        assertTrue(s.running());
    }

    @Test
    void resumedFiles_countAsDone_butNotInTheRate() {
        tracker.phaseStarted(Phase.REWRITE, 3, 90 * MIB);
        tracker.fileDone("old", 60 * MIB, Outcome.RESUMED);
        advanceMillis(1000);
        tracker.fileDone("new", 10 * MIB, Outcome.REWRITTEN);
        ProgressSnapshot s = tracker.snapshot();
        assertEquals(70 * MIB, s.bytesDone());
        assertEquals(10.0 * MIB, s.bytesPerSecond(), 1e-6);
        assertEquals(Optional.of(Duration.ofSeconds(2)), s.eta(), "20 MiB left at 10 MiB/s");
    }

    @Test
    void withoutExpectedBytes_etaGoesByFiles() {
        tracker.phaseStarted(Phase.REWRITE, 8, ProgressListener.UNKNOWN);
        advanceMillis(4000);
        tracker.fileDone("a", 1, Outcome.REWRITTEN);
        tracker.fileDone("b", 1, Outcome.REWRITTEN);
        assertEquals(Optional.of(Duration.ofSeconds(12)), tracker.snapshot().eta(), "6 files left at 0.5 files/s");
        assertEquals(Optional.of(0.25), tracker.snapshot().fraction());
    }

    @Test
    void withNothingDoneOrNothingExpected_thereIsNoEta() {
        tracker.phaseStarted(Phase.SCAN, ProgressListener.UNKNOWN, ProgressListener.UNKNOWN);
        advanceMillis(1000);
        tracker.fileDone("a", 5, Outcome.UNCHANGED);
        assertEquals(Optional.empty(), tracker.snapshot().eta());
        assertEquals(Optional.empty(), tracker.snapshot().fraction());
        tracker.phaseStarted(Phase.REWRITE, 5, 500);
        advanceMillis(1000);
        assertEquals(Optional.empty(), tracker.snapshot().eta(), "no rate yet");
        assertEquals(0.0, tracker.snapshot().bytesPerSecond());
    }

    @Test
    void finishedPhase_freezesItsElapsedTime_andHasNothingLeft() {
        tracker.phaseStarted(Phase.PLAN, 1, 10);
        advanceMillis(1500);
        tracker.fileDone("a", 10, Outcome.REWRITTEN);
        tracker.phaseFinished(Phase.PLAN);
        advanceMillis(60_000);
        ProgressSnapshot s = tracker.snapshot();
        assertFalse(s.running());
        assertEquals(Duration.ofMillis(1500), s.phaseElapsed());
        assertEquals(Optional.of(Duration.ZERO), s.eta());
        assertEquals(Duration.ofMillis(61_500), s.elapsed());
    }

    @Test
    void phaseCounters_startAgain_jobTotalsAddUp() {
        tracker.phaseStarted(Phase.SCAN, ProgressListener.UNKNOWN, ProgressListener.UNKNOWN);
        tracker.phaseFinished(Phase.SCAN);
        tracker.phaseStarted(Phase.REWRITE, 4, 40);
        tracker.fileDone("a", 10, Outcome.REWRITTEN);
        tracker.fileDone("b", 10, Outcome.EXCLUDED);
        tracker.fileFailed("c", 10, "bad ELF at 0x40: no");
        tracker.warning("setuid programs lose $ORIGIN");
        advanceMillis(3000);
        tracker.phaseFinished(Phase.REWRITE);
        tracker.phaseStarted(Phase.WRITE, 1, 10);
        tracker.fileDone("d", 10, Outcome.RESUMED);
        assertEquals(1, tracker.snapshot().filesDone());
        assertEquals(1, tracker.snapshot().failed(), "failures are the job's");
        ProgressSummary sum = tracker.summary();
        assertEquals(1, sum.count(Outcome.REWRITTEN));
        assertEquals(1, sum.count(Outcome.EXCLUDED));
        assertEquals(1, sum.count(Outcome.RESUMED));
        assertEquals(0, sum.count(Outcome.UNCHANGED));
        assertEquals(3, sum.filesDone());
        assertEquals(40, sum.bytes());
        assertEquals(List.of(new ProgressSummary.Failure("c", "bad ELF at 0x40: no")), sum.failures());
        assertEquals(List.of("setuid programs lose $ORIGIN"), sum.warnings());
        assertEquals(List.of(
                new ProgressSummary.PhaseTime(Phase.SCAN, Optional.of(Duration.ZERO)),
                new ProgressSummary.PhaseTime(Phase.REWRITE, Optional.of(Duration.ofSeconds(3))),
                new ProgressSummary.PhaseTime(Phase.WRITE, Optional.empty())), sum.phases());
    }

    @Test
    void phaseStartedWithoutTheLastFinished_endsTheLastOne() {
        tracker.phaseStarted(Phase.SCAN, 0, 0);
        advanceMillis(700);
        tracker.phaseStarted(Phase.GRAPH, 0, 0);
        assertEquals(Optional.of(Duration.ofMillis(700)), tracker.summary().phases().get(0).duration());
    }

    @Test
    void concurrentReports_areAllCounted() throws InterruptedException {
        tracker.phaseStarted(Phase.REWRITE, 40_000, 40_000);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (i % 100 == 0) {
                        tracker.fileFailed(id + "/" + i, 1, "x");
                    } else {
                        tracker.fileDone(id + "/" + i, 1, Outcome.REWRITTEN);
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        ProgressSnapshot s = tracker.snapshot();
        assertEquals(40_000, s.filesDone());
        assertEquals(40_000, s.bytesDone());
        assertEquals(400, s.failed());
        assertEquals(400, tracker.summary().failures().size());
        assertEquals(39_600, tracker.summary().count(Outcome.REWRITTEN));
    }
}
