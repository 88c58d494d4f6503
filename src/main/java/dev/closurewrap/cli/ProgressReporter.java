package dev.closurewrap.cli;

import dev.closurewrap.bundle.ProgressListener;
import dev.closurewrap.bundle.ProgressSnapshot;
import dev.closurewrap.bundle.ProgressSummary;
import dev.closurewrap.bundle.ProgressTracker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Renders the job's progress events on standard error. This base class draws nothing while the job
 * runs ({@code --quiet}); {@link TerminalProgress} and {@link LogProgress} do. Every event first goes
 * to the {@link ProgressTracker}, whose figures the rendering then reads; drawing is serialised on
 * the reporter, so lines from different workers never interleave.
 */
class ProgressReporter implements ProgressListener, AutoCloseable {
    /** How many failures the text summary lists; {@code --json} and {@code status} give them all. */
    static final int LISTED_FAILURES = 20;

    final ProgressTracker tracker;
    final PrintWriter err;
    final LongSupplier nanoTime;
    private ScheduledExecutorService ticker;
    /** Set by {@link #finish}: a tick still queued must not draw a bar under the final report. */
    private boolean finished;

    ProgressReporter(PrintWriter err, LongSupplier nanoTime) {
        this.tracker = new ProgressTracker(nanoTime);
        this.err = err;
        this.nanoTime = nanoTime;
    }

    @Override
    public final void phaseStarted(Phase phase, long expectedFiles, long expectedBytes) {
        tracker.phaseStarted(phase, expectedFiles, expectedBytes);
        synchronized (this) {
            onPhaseStarted(phase);
        }
    }

    @Override
    public final void phaseFinished(Phase phase) {
        tracker.phaseFinished(phase);
        synchronized (this) {
            onPhaseFinished(phase);
        }
    }

    @Override
    public final void fileDone(String path, long bytes, Outcome outcome) {
        tracker.fileDone(path, bytes, outcome);
        synchronized (this) {
            onFile(path, outcome.label(), null);
        }
    }

    @Override
    public final void fileFailed(String path, long bytes, String reason) {
        tracker.fileFailed(path, bytes, reason);
        synchronized (this) {
            onFile(path, "failed", reason);
        }
    }

    @Override
    public final void warning(String message) {
        tracker.warning(message);
        synchronized (this) {
            onWarning(message);
        }
    }

    /** Called often (every 100 ms from {@link #startTicking}) so a display moves while no file finishes. */
    final synchronized void tick() {
        if (!finished) {
            onTick();
        }
    }

    void onPhaseStarted(Phase phase) {}

    void onPhaseFinished(Phase phase) {}

    /** @param reason null unless the file failed */
    void onFile(String path, String outcome, String reason) {}

    void onWarning(String message) {
        err.println("closure-wrap: warning: " + message);
        err.flush();
    }

    void onTick() {}

    /** Before the final report: a terminal takes its bar off the screen. */
    void clearDisplay() {}

    /** Calls {@link #tick} every {@code period} on a daemon thread until {@link #close}. */
    void startTicking(Duration period) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "closure-wrap-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    ProgressSnapshot snapshot() {
        return tracker.snapshot();
    }

    /**
     * Ends the display and prints the outcome for people: a line of totals (unless quiet) and the
     * failed files (always: they are why the exit code is 1).
     */
    synchronized ProgressSummary finish(boolean totals) {
        close();
        clearDisplay();
        finished = true;
        ProgressSummary summary = tracker.summary();
        if (totals) {
            err.println(totalsLine(summary));
        }
        List<ProgressSummary.Failure> failures = summary.failures();
        if (!failures.isEmpty()) {
            err.println(ProgressFormat.count(failures.size()) + (failures.size() == 1 ? " file" : " files")
                    + " could not be rewritten" + (failures.size() > LISTED_FAILURES ? " (first " + LISTED_FAILURES + ")" : "")
                    + ":");
            for (ProgressSummary.Failure f : failures.subList(0, Math.min(LISTED_FAILURES, failures.size()))) {
                err.println("  " + f.path() + ": " + f.reason());
            }
        }
        err.flush();
        return summary;
    }

    static String totalsLine(ProgressSummary s) {
        List<String> parts = new ArrayList<>();
        for (Outcome o : Outcome.values()) {
            if (s.count(o) > 0) {
                parts.add(ProgressFormat.count(s.count(o)) + " " + o.label());
            }
        }
        if (!s.failures().isEmpty()) {
            parts.add(ProgressFormat.count(s.failures().size()) + " failed");
        }
        long files = s.filesDone() + s.failures().size();
        return "closure-wrap: done in " + ProgressFormat.duration(s.duration()) + ": " + ProgressFormat.count(files)
                + (files == 1 ? " file" : " files") + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")")
                + ", " + ProgressFormat.bytes(s.bytes());
    }

    /** What a phase did, for the line that ends it: {@code scan: 1,234 files, 12.3 MiB in 2.3s}. */
    static String phaseDoneLine(ProgressSnapshot s) {
        String what = s.phase().map(Phase::label).orElse("?");
        StringBuilder sb = new StringBuilder(what).append(": ");
        if (s.filesDone() > 0) {
            sb.append(ProgressFormat.count(s.filesDone())).append(s.filesDone() == 1 ? " file, " : " files, ")
                    .append(ProgressFormat.bytes(s.bytesDone())).append(' ');
        } else {
            sb.append("done ");
        }
        return sb.append("in ").append(ProgressFormat.seconds(s.phaseElapsed())).toString();
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }
}
