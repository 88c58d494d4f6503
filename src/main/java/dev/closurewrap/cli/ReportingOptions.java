package dev.closurewrap.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import picocli.CommandLine.Option;

/** {@code --json}, {@code --verbose}, {@code --quiet}: how a long command reports, shared by the commands that run a job. */
final class ReportingOptions {
    @Option(names = "--json", order = 110, description = "At the end, print a JSON summary on standard output, for machines.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, order = 111, description = "Also report every file as it is done.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, order = 112, description = "No progress; only failures and errors.")
    boolean quiet;

    /** Whether standard error is a terminal that can redraw a line: a console, and TERM neither unset nor dumb. */
    static boolean isInteractive(boolean haveConsole, Map<String, String> env) {
        String term = env.get("TERM");
        return haveConsole && term != null && !term.isEmpty() && !term.equals("dumb");
    }

    /** Terminal width from {@code COLUMNS} (shells export it), else 80. */
    static int terminalWidth(Map<String, String> env) {
        try {
            int columns = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
            return columns > 0 ? columns : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /**
     * The reporter these options ask for; it is not ticking yet.
     *
     * @param interactive see {@link #isInteractive}
     * @param logInterval how often a plain log prints a summary line
     */
    ProgressReporter reporter(PrintWriter err, LongSupplier nanoTime, boolean interactive, int width, Duration logInterval) {
        if (quiet) {
            return new ProgressReporter(err, nanoTime);
        }
        if (interactive) {
            return new TerminalProgress(err, nanoTime, width, verbose);
        }
        return new LogProgress(err, nanoTime, logInterval, verbose);
    }

    /** How often the reporter should be ticked. */
    static Duration tickPeriod(ProgressReporter reporter) {
        return reporter instanceof TerminalProgress ? Duration.ofMillis(100) : Duration.ofSeconds(1);
    }
}
