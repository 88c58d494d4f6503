package dev.closurewrap.cli;

import dev.closurewrap.bundle.ProgressSnapshot;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines, for logs and pipes: one when a phase starts, one when it ends, and while a
 * phase runs a summary every {@code interval} (the {@code progress-log-interval} setting). Each line
 * starts with the time since the job started. Nothing per file unless {@code --verbose}.
 * <pre>
 * [0:00] scan started
 * [0:02] scan: 1,234 files, 12.3 MiB in 2.3s
 * [0:32] rewrite: 1,000/5,000 files, 100.0 MiB/2.0 GiB, 3.3 MiB/s, ETA 9:42
 * </pre>
 */
final class LogProgress extends ProgressReporter {
    private final long intervalNanos;
    private final boolean verbose;
    private long lastLineNanos;

    LogProgress(PrintWriter err, LongSupplier nanoTime, Duration interval, boolean verbose) {
        super(err, nanoTime);
        this.intervalNanos = interval.toNanos();
        this.verbose = verbose;
    }

    @Override
    void onPhaseStarted(Phase phase) {
        line(phase.label() + " started");
    }

    @Override
    void onPhaseFinished(Phase phase) {
        line(phaseDoneLine(snapshot()));
    }

    @Override
    void onFile(String path, String outcome, String reason) {
        if (verbose) {
            line(outcome + " " + path + (reason == null ? "" : ": " + reason));
        }
        onTick();
    }

    @Override
    void onWarning(String message) {
        line("warning: " + message);
    }

    @Override
    void onTick() {
        // The clock first: this runs for every file, a snapshot only once an interval.
        if (nanoTime.getAsLong() - lastLineNanos < intervalNanos) {
            return;
        }
        ProgressSnapshot s = snapshot();
        if (s.running()) {
            line(summaryLine(s));
        }
    }

    static String summaryLine(ProgressSnapshot s) {
        StringBuilder sb = new StringBuilder(s.phase().map(Phase::label).orElse("?")).append(": ");
        sb.append(ProgressFormat.count(s.filesDone()));
        if (s.expectedFiles() >= 0) {
            sb.append('/').append(ProgressFormat.count(s.expectedFiles()));
        }
        sb.append(" files, ").append(ProgressFormat.bytes(s.bytesDone()));
        if (s.expectedBytes() >= 0) {
            sb.append('/').append(ProgressFormat.bytes(s.expectedBytes()));
        }
        sb.append(", ").append(ProgressFormat.rate(s.bytesPerSecond()));
        s.eta().ifPresent(eta -> sb.append(", ETA ").append(ProgressFormat.duration(eta)));
        if (s.failed() > 0) {
            sb.append(", ").append(ProgressFormat.count(s.failed())).append(" failed");
        }
        return sb.toString();
    }

    private void line(String text) {
        err.println("[" + ProgressFormat.duration(snapshot().elapsed()) + "] " + text);
        err.flush();
        lastLineNanos = nanoTime.getAsLong();
    }
}
