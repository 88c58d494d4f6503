package dev.closurewrap.cli;

import dev.closurewrap.bundle.ProgressSnapshot;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar redrawn in place with {@code \r}, at most ten times a second, on a
 * terminal of a known width:
 * <pre>rewrite [=====>      ] 1,234/5,000 files   512.0 MiB/2.0 GiB    48.3 MiB/s  ETA  0:31</pre>
 * A finished phase leaves one line behind ({@code rewrite: 5,000 files, 2.0 GiB in 41.2s}). With
 * {@code --verbose} each file's line is printed above the bar.
 */
final class TerminalProgress extends ProgressReporter {
    /** 10 redraws a second at most: faster is flicker, and costs the workers the lock. */
    static final long REDRAW_NANOS = 100_000_000L;
    private static final int MIN_BAR = 10;
    private static final int MAX_BAR = 40;
    /** The longest phase label, {@code rewrite}: bars of successive phases line up. */
    private static final int LABEL_WIDTH = 7;
    /** {@code 1023.9 MiB}, the longest a byte count gets. */
    private static final int BYTES_WIDTH = 10;

    private final int width;
    private final boolean verbose;
    private long lastDrawNanos;
    private boolean drawnOnce;
    /** Length of the line on screen now, 0 when none: shorter redraws blank out the rest. */
    private int shown;

    /** @param width the terminal's columns; the line is kept one shorter so it never wraps */
    TerminalProgress(PrintWriter err, LongSupplier nanoTime, int width, boolean verbose) {
        super(err, nanoTime);
        this.width = Math.max(20, width);
        this.verbose = verbose;
    }

    @Override
    void onPhaseStarted(Phase phase) {
        draw();
    }

    @Override
    void onPhaseFinished(Phase phase) {
        replaceLine(phaseDoneLine(snapshot()));
        err.print('\n');
        shown = 0;
        err.flush();
    }

    @Override
    void onFile(String path, String outcome, String reason) {
        if (verbose) {
            replaceLine(outcome + " " + path + (reason == null ? "" : ": " + reason));
            err.print('\n');
            shown = 0;
            draw();
            return;
        }
        drawIfDue();
    }

    @Override
    void onWarning(String message) {
        replaceLine("closure-wrap: warning: " + message);
        err.print('\n');
        shown = 0;
        draw();
    }

    @Override
    void onTick() {
        drawIfDue();
    }

    @Override
    void clearDisplay() {
        if (shown > 0) {
            replaceLine("");
            err.print('\r');
            shown = 0;
            err.flush();
        }
    }

    private void drawIfDue() {
        if (!drawnOnce || nanoTime.getAsLong() - lastDrawNanos >= REDRAW_NANOS) {
            draw();
        }
    }

    private void draw() {
        ProgressSnapshot s = snapshot();
        if (s.phase().isEmpty() || !s.running()) {
            return;
        }
        replaceLine(barLine(s, width - 1));
        err.flush();
        lastDrawNanos = nanoTime.getAsLong();
        drawnOnce = true;
    }

    /** Overwrites the line on screen with {@code text}, blanking what a longer line left. */
    private void replaceLine(String text) {
        String line = text.length() > width - 1 ? text.substring(0, width - 1) : text;
        StringBuilder sb = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < shown; i++) {
            sb.append(' ');
        }
        err.print(sb);
        shown = line.length();
    }

    /**
     * The bar line for {@code s}, at most {@code columns} wide. Every figure has a fixed width for the
     * phase, so the bar neither jumps nor changes length as the figures grow; it takes the room the
     * figures leave, at most {@link #MAX_BAR} cells, and is left out below {@link #MIN_BAR}.
     */
    static String barLine(ProgressSnapshot s, int columns) {
        String label = pad(s.phase().map(Phase::label).orElse(""), LABEL_WIDTH, false);
        List<String> figures = new ArrayList<>();
        String expectedFiles = s.expectedFiles() >= 0 ? ProgressFormat.count(s.expectedFiles()) : "";
        figures.add(pad(ProgressFormat.count(s.filesDone()), expectedFiles.length(), true)
                + (s.expectedFiles() >= 0 ? "/" + expectedFiles : "") + " files");
        figures.add(pad(ProgressFormat.bytes(s.bytesDone()), BYTES_WIDTH, true)
                + (s.expectedBytes() >= 0 ? "/" + ProgressFormat.bytes(s.expectedBytes()) : ""));
        figures.add(pad(ProgressFormat.rate(s.bytesPerSecond()), BYTES_WIDTH + 2, true));
        figures.add("ETA " + pad(s.eta().map(ProgressFormat::duration).orElse("--:--"), 5, true));
        String text = String.join("  ", figures);
        String failed = s.failed() > 0 ? "  " + ProgressFormat.count(s.failed()) + " failed" : "";
        // Room for the failures too: the bar shrinks once, when the first one comes.
        int barWidth = Math.min(MAX_BAR, columns - label.length() - text.length() - failed.length() - 4);
        String line = s.fraction().isPresent() && barWidth >= MIN_BAR
                ? label + " " + bar(s.fraction().get(), barWidth) + " " + text + failed
                : label + " " + text + failed;
        return line.length() > columns ? line.substring(0, columns) : line;
    }

    private static String pad(String text, int width, boolean left) {
        if (text.length() >= width) {
            return text;
        }
        String spaces = " ".repeat(width - text.length());
        return left ? spaces + text : text + spaces;
    }

    /** {@code [=====>    ]} with {@code inner} cells between the brackets. */
    static String bar(double fraction, int inner) {
        int full = (int) Math.floor(fraction * inner);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < inner; i++) {
            sb.append(i < full ? '=' : i == full ? '>' : ' ');
        }
        return sb.append(']').toString();
    }
}
