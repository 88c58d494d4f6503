package dev.closurewrap.bundle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Adds up what the job reports: files and bytes per phase, outcomes and failures for the whole job,
 * and from them a rate and a time left. Thread-safe; reading a {@link #snapshot} never blocks the
 * workers (each counter is its own {@link LongAdder}, so a snapshot may be a few files out of step
 * with itself, which a progress bar does not mind).
 *
 * <p>The rate counts only bytes that were worked on: files an earlier run finished ({@link
 * ProgressListener.Outcome#RESUMED}) go by in a moment and would make a resumed run promise an end it
 * cannot keep. The rate is the average over the phase so far.
 */
public final class ProgressTracker implements ProgressListener {
    private final LongSupplier nanoTime;
    private final AtomicReference<PhaseState> current = new AtomicReference<>();
    private final List<PhaseState> phases = new ArrayList<>(); // guarded by itself
    private volatile long jobStartNanos;
    private volatile boolean started;
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final LongAdder failed = new LongAdder();
    private final LongAdder totalBytes = new LongAdder();
    private final ConcurrentLinkedQueue<ProgressSummary.Failure> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();

    /** @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}; a fake one in tests) */
    public ProgressTracker(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new LongAdder());
        }
    }

    public static ProgressTracker systemClock() {
        return new ProgressTracker(System::nanoTime);
    }

    private static final class PhaseState {
        final Phase phase;
        final long expectedFiles;
        final long expectedBytes;
        final long startNanos;
        volatile long endNanos = -1;
        final LongAdder files = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder workedBytes = new LongAdder();
        final LongAdder workedFiles = new LongAdder();

        PhaseState(Phase phase, long expectedFiles, long expectedBytes, long startNanos) {
            this.phase = phase;
            this.expectedFiles = expectedFiles;
            this.expectedBytes = expectedBytes;
            this.startNanos = startNanos;
        }
    }

    @Override
    public void phaseStarted(Phase phase, long expectedFiles, long expectedBytes) {
        long now = nanoTime.getAsLong();
        if (!started) {
            jobStartNanos = now;
            started = true;
        }
        PhaseState state = new PhaseState(phase, Math.max(UNKNOWN, expectedFiles), Math.max(UNKNOWN, expectedBytes), now);
        synchronized (phases) {
            PhaseState previous = current.get();
            if (previous != null && previous.endNanos < 0) {
                previous.endNanos = now; // a job that forgot to finish a phase still gets sane figures
            }
            phases.add(state);
        }
        current.set(state);
    }

    @Override
    public void phaseFinished(Phase phase) {
        PhaseState state = current.get();
        if (state != null && state.phase == phase && state.endNanos < 0) {
            state.endNanos = nanoTime.getAsLong();
        }
    }

    @Override
    public void fileDone(String path, long bytes, Outcome outcome) {
        long size = Math.max(0, bytes);
        outcomes.get(outcome).increment();
        totalBytes.add(size);
        PhaseState state = current.get();
        if (state != null) {
            state.files.increment();
            state.bytes.add(size);
            if (outcome != Outcome.RESUMED) {
                state.workedBytes.add(size);
                state.workedFiles.increment();
            }
        }
    }

    @Override
    public void fileFailed(String path, long bytes, String reason) {
        long size = Math.max(0, bytes);
        failed.increment();
        totalBytes.add(size);
        failures.add(new ProgressSummary.Failure(path, reason));
        PhaseState state = current.get();
        if (state != null) {
            state.files.increment();
            state.bytes.add(size);
            state.workedBytes.add(size);
            state.workedFiles.increment();
        }
    }

    @Override
    public void warning(String message) {
        warnings.add(message);
    }

    /** Where the job stands now. */
    public ProgressSnapshot snapshot() {
        long now = nanoTime.getAsLong();
        PhaseState state = current.get();
        if (state == null) {
            return new ProgressSnapshot(Optional.empty(), false, 0, UNKNOWN, 0, UNKNOWN, 0, Optional.empty(),
                    Duration.ZERO, Duration.ZERO, failed.sum());
        }
        long end = state.endNanos;
        boolean running = end < 0;
        long phaseNanos = Math.max(0, (running ? now : end) - state.startNanos);
        long files = state.files.sum();
        long bytes = state.bytes.sum();
        double rate = phaseNanos == 0 ? 0 : state.workedBytes.sum() / (phaseNanos / 1e9);
        Optional<Duration> eta = Optional.empty();
        if (!running) {
            eta = Optional.of(Duration.ZERO);
        } else if (state.expectedBytes >= 0 && rate > 0) {
            long left = Math.max(0, state.expectedBytes - bytes);
            eta = Optional.of(Duration.ofMillis(Math.round(left / rate * 1000)));
        } else if (state.expectedBytes < 0 && state.expectedFiles >= 0 && state.workedFiles.sum() > 0 && phaseNanos > 0) {
            // Sizes not known: go by the file rate instead.
            double filesPerSecond = state.workedFiles.sum() / (phaseNanos / 1e9);
            long left = Math.max(0, state.expectedFiles - files);
            eta = Optional.of(Duration.ofMillis(Math.round(left / filesPerSecond * 1000)));
        }
        return new ProgressSnapshot(Optional.of(state.phase), running, files, state.expectedFiles, bytes,
                state.expectedBytes, rate, eta, Duration.ofNanos(phaseNanos), Duration.ofNanos(Math.max(0, now - jobStartNanos)),
                failed.sum());
    }

    /** The whole job so far. */
    public ProgressSummary summary() {
        long now = nanoTime.getAsLong();
        Map<Outcome, Long> files = new EnumMap<>(Outcome.class);
        outcomes.forEach((o, n) -> files.put(o, n.sum()));
        List<ProgressSummary.PhaseTime> times = new ArrayList<>();
        synchronized (phases) {
            for (PhaseState p : phases) {
                long end = p.endNanos;
                times.add(new ProgressSummary.PhaseTime(p.phase,
                        end < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(end - p.startNanos))));
            }
        }
        return new ProgressSummary(started ? Duration.ofNanos(Math.max(0, now - jobStartNanos)) : Duration.ZERO, files,
                new ArrayList<>(failures), totalBytes.sum(), times, new ArrayList<>(warnings));
    }

    /** Failed files so far. */
    public long failedCount() {
        return failed.sum();
    }
}
