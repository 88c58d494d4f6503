package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.bundle.ProgressListener.Outcome;
import dev.closurewrap.bundle.ProgressListener.Phase;
import dev.closurewrap.bundle.ProgressSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Golden output of each renderer for the same short job, on a fake clock and a fake terminal width. */
class ProgressRenderTest {
    static final long MIB = 1 << 20;
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final StringWriter screen = new StringWriter();
    final PrintWriter err = new PrintWriter(screen);

    void advanceMillis(long ms) {
        clock.addAndGet(ms * 1_000_000);
    }

    /** Scan, then 4 files rewritten over 4 seconds, one failing, and a warning. */
    void runJob(ProgressReporter r) {
        r.phaseStarted(Phase.SCAN, -1, -1);
        advanceMillis(1200);
        r.phaseFinished(Phase.SCAN);
        r.phaseStarted(Phase.REWRITE, 4, 4 * MIB);
        advanceMillis(1000);
        r.fileDone("store/aaa-foo/bin/foo", MIB, Outcome.REWRITTEN);
        advanceMillis(50);
        r.fileDone("store/aaa-foo/lib/libfoo.so", MIB, Outcome.UNCHANGED);
        advanceMillis(950);
        r.tick();
        advanceMillis(1000);
        r.fileFailed("store/bbb-bar/bin/bar", MIB, "bad ELF at 0x40: truncated");
        r.warning("store/bbb-bar/bin/su is setuid: $ORIGIN is ignored there");
        advanceMillis(1000);
        r.fileDone("store/bbb-bar/lib/libbar.so", MIB, Outcome.REWRITTEN);
        r.phaseFinished(Phase.REWRITE);
        r.finish(true);
    }

    /** Carriage returns made visible, so a golden text shows every redraw. */
    String screen() {
        return screen.toString().replace("\r", "⏎");
    }

    @Test
    void terminal_redrawsOneLineInPlace_atMostTenTimesASecond() {
        runJob(new TerminalProgress(err, clock::get, 90, false));
        assertEquals(""
                + "⏎scan    0 files         0 B         0 B/s  ETA --:--"
                + "⏎scan: done in 1.2s                                  \n"
                + "⏎rewrite [>                       ] 0/4 files         0 B/4.0 MiB         0 B/s  ETA --:--"
                + "⏎rewrite [======>                 ] 1/4 files     1.0 MiB/4.0 MiB     1.0 MiB/s  ETA  0:03"
                // the second file came 50 ms after the first: drawn by the tick, not by its own event
                + "⏎rewrite [============>           ] 2/4 files     2.0 MiB/4.0 MiB     1.0 MiB/s  ETA  0:02"
                // the first failure takes room from the bar
                + "⏎rewrite [==========>   ] 3/4 files     3.0 MiB/4.0 MiB     1.0 MiB/s  ETA  0:01  1 failed"
                + "⏎closure-wrap: warning: store/bbb-bar/bin/su is setuid: $ORIGIN is ignored there          \n"
                + "⏎rewrite [==========>   ] 3/4 files     3.0 MiB/4.0 MiB     1.0 MiB/s  ETA  0:01  1 failed"
                + "⏎rewrite [==============] 4/4 files     4.0 MiB/4.0 MiB     1.0 MiB/s  ETA  0:00  1 failed"
                + "⏎rewrite: 4 files, 4.0 MiB in 4.0s                                                        \n"
                + "closure-wrap: done in 0:05: 4 files (2 rewritten, 1 unchanged, 1 failed), 4.0 MiB\n"
                + "1 file could not be rewritten:\n"
                + "  store/bbb-bar/bin/bar: bad ELF at 0x40: truncated\n", screen());
    }

    @Test
    void terminal_verbose_printsEachFileAboveTheBar() {
        TerminalProgress t = new TerminalProgress(err, clock::get, 80, true);
        t.phaseStarted(Phase.REWRITE, 2, ProgressRenderTest.MIB * 2);
        advanceMillis(10);
        t.fileDone("store/aaa-foo/bin/foo", MIB, Outcome.REWRITTEN);
        t.fileFailed("store/aaa-foo/bin/x", MIB, "not ELF");
        assertEquals(""
                + "⏎rewrite [>             ] 0/2 files         0 B/2.0 MiB         0 B/s  ETA --:--"
                + "⏎rewritten store/aaa-foo/bin/foo                                                \n"
                + "⏎rewrite [=======>      ] 1/2 files     1.0 MiB/2.0 MiB   100.0 MiB/s  ETA  0:00"
                + "⏎failed store/aaa-foo/bin/x: not ELF                                            \n"
                + "⏎rewrite 2/2 files     2.0 MiB/2.0 MiB   200.0 MiB/s  ETA  0:00  1 failed", screen());
    }

    @Test
    void terminal_manyFilesWithinATenthOfASecond_drawOnce() {
        TerminalProgress t = new TerminalProgress(err, clock::get, 100, false);
        t.phaseStarted(Phase.REWRITE, 1000, 1000);
        int before = screen.toString().split("\r", -1).length;
        for (int i = 0; i < 99; i++) {
            advanceMillis(1);
            t.fileDone("f" + i, 1, Outcome.REWRITTEN);
        }
        assertEquals(before, screen.toString().split("\r", -1).length, "no redraw within 100 ms of the last");
        advanceMillis(1);
        t.fileDone("f99", 1, Outcome.REWRITTEN);
        assertEquals(before + 1, screen.toString().split("\r", -1).length);
    }

    @Test
    void barLine_leavesTheBarOut_whenTheTerminalIsNarrow_andNeverExceedsTheWidth() {
        ProgressSnapshot s = new ProgressSnapshot(Optional.of(Phase.REWRITE), true, 12_345, 50_000, 3L << 30, 10L << 30,
                120.5 * MIB, Optional.of(Duration.ofSeconds(3723)), Duration.ofSeconds(9), Duration.ofSeconds(20), 2);
        assertEquals("rewrite [=========>                     ] 12,345/50,000 files     3.0 GiB/10.0 GiB   120.5 MiB/s"
                + "  ETA 1:02:03  2 failed", TerminalProgress.barLine(s, 119));
        assertEquals("rewrite 12,345/50,000 files     3.0 GiB/10.0 GiB   120.5 MiB/s  ETA 1:02:03  2 failed",
                TerminalProgress.barLine(s, 90));
        String narrow = TerminalProgress.barLine(s, 40);
        assertEquals("rewrite 12,345/50,000 files     3.0 GiB/", narrow);
    }

    @Test
    void bar_fillsByFraction() {
        assertEquals("[>         ]", TerminalProgress.bar(0.0, 10));
        assertEquals("[=====>    ]", TerminalProgress.bar(0.5, 10));
        assertEquals("[==========]", TerminalProgress.bar(1.0, 10));
    }

    @Test
    void log_printsPhaseLines_andASummaryEveryInterval_notEachFile() {
        runJob(new LogProgress(err, clock::get, Duration.ofSeconds(2), false));
        assertEquals(""
                + "[0:00] scan started\n"
                + "[0:01] scan: done in 1.2s\n"
                + "[0:01] rewrite started\n"
                + "[0:03] rewrite: 2/4 files, 2.0 MiB/4.0 MiB, 1.0 MiB/s, ETA 0:02\n"
                + "[0:04] warning: store/bbb-bar/bin/su is setuid: $ORIGIN is ignored there\n"
                + "[0:05] rewrite: 4 files, 4.0 MiB in 4.0s\n"
                + "closure-wrap: done in 0:05: 4 files (2 rewritten, 1 unchanged, 1 failed), 4.0 MiB\n"
                + "1 file could not be rewritten:\n"
                + "  store/bbb-bar/bin/bar: bad ELF at 0x40: truncated\n", screen());
    }

    @Test
    void log_verbose_printsEachFile() {
        runJob(new LogProgress(err, clock::get, Duration.ofSeconds(30), true));
        assertEquals(""
                + "[0:00] scan started\n"
                + "[0:01] scan: done in 1.2s\n"
                + "[0:01] rewrite started\n"
                + "[0:02] rewritten store/aaa-foo/bin/foo\n"
                + "[0:02] unchanged store/aaa-foo/lib/libfoo.so\n"
                + "[0:04] failed store/bbb-bar/bin/bar: bad ELF at 0x40: truncated\n"
                + "[0:04] warning: store/bbb-bar/bin/su is setuid: $ORIGIN is ignored there\n"
                + "[0:05] rewritten store/bbb-bar/lib/libbar.so\n"
                + "[0:05] rewrite: 4 files, 4.0 MiB in 4.0s\n"
                + "closure-wrap: done in 0:05: 4 files (2 rewritten, 1 unchanged, 1 failed), 4.0 MiB\n"
                + "1 file could not be rewritten:\n"
                + "  store/bbb-bar/bin/bar: bad ELF at 0x40: truncated\n", screen());
    }

    @Test
    void quiet_printsOnlyWarningsAndFailures() {
        runJob(new ProgressReporter(err, clock::get));
        assertEquals(""
                + "closure-wrap: warning: store/bbb-bar/bin/su is setuid: $ORIGIN is ignored there\n"
                + "closure-wrap: done in 0:05: 4 files (2 rewritten, 1 unchanged, 1 failed), 4.0 MiB\n"
                + "1 file could not be rewritten:\n"
                + "  store/bbb-bar/bin/bar: bad ELF at 0x40: truncated\n", screen());
    }

    @Test
    void finish_withoutTotals_listsOnlyTheFirstFailures() {
        ProgressReporter r = new ProgressReporter(err, clock::get);
        r.phaseStarted(Phase.REWRITE, 30, 30);
        for (int i = 0; i < 25; i++) {
            r.fileFailed("f" + i, 1, "why");
        }
        r.finish(false);
        String text = screen.toString();
        assertTrue(text.startsWith("25 files could not be rewritten (first 20):\n  f0: why\n"), text);
        assertTrue(text.contains("  f19: why\n") && !text.contains("f20"), text);
        assertFalse(text.contains("done in"), text);
    }

    @Test
    void afterFinish_aLateTickDrawsNothing() {
        TerminalProgress t = new TerminalProgress(err, clock::get, 80, false);
        t.phaseStarted(Phase.REWRITE, 2, 2);
        t.finish(false);
        String after = screen.toString();
        advanceMillis(500);
        t.tick();
        assertEquals(after, screen.toString());
    }

    @Test
    void json_summary_hasFilesByOutcome_bytes_duration_phases_failures() throws Exception {
        ProgressReporter r = new ProgressReporter(err, clock::get);
        runJob(r);
        JsonNode j = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(
                JsonSummary.toJson(r.tracker.summary())));
        assertEquals("some-files-failed", j.get("status").asText());
        assertEquals(5.2, j.get("durationSeconds").asDouble());
        assertEquals(4, j.get("files").get("total").asLong());
        assertEquals(2, j.get("files").get("rewritten").asLong());
        assertEquals(1, j.get("files").get("unchanged").asLong());
        assertEquals(0, j.get("files").get("resumed").asLong());
        assertEquals(0, j.get("files").get("excluded").asLong());
        assertEquals(1, j.get("files").get("failed").asLong());
        assertEquals(4 * MIB, j.get("bytes").asLong());
        assertEquals("scan", j.get("phases").get(0).get("phase").asText());
        assertEquals(1.2, j.get("phases").get(0).get("seconds").asDouble());
        assertEquals(4.0, j.get("phases").get(1).get("seconds").asDouble());
        assertEquals("store/bbb-bar/bin/bar", j.get("failures").get(0).get("path").asText());
        assertEquals("bad ELF at 0x40: truncated", j.get("failures").get(0).get("reason").asText());
        assertEquals(1, j.get("warnings").size());
    }

    @Test
    void terminalDetection_needsAConsoleAndAUsefulTerm() {
        assertTrue(ReportingOptions.isInteractive(true, Map.of("TERM", "xterm-256color")));
        assertFalse(ReportingOptions.isInteractive(true, Map.of("TERM", "dumb")));
        assertFalse(ReportingOptions.isInteractive(true, Map.of()));
        assertFalse(ReportingOptions.isInteractive(false, Map.of("TERM", "xterm")));
        assertEquals(132, ReportingOptions.terminalWidth(Map.of("COLUMNS", "132")));
        assertEquals(80, ReportingOptions.terminalWidth(Map.of("COLUMNS", "wide")));
        assertEquals(80, ReportingOptions.terminalWidth(Map.of()));
    }

    @Test
    void formats_forPeople() {
        assertEquals("1023 B", ProgressFormat.bytes(1023));
        assertEquals("1.0 KiB", ProgressFormat.bytes(1024));
        assertEquals("1.5 GiB", ProgressFormat.bytes(3L << 29));
        assertEquals("8.0 EiB", ProgressFormat.bytes(Long.MAX_VALUE));
        assertEquals("0:59", ProgressFormat.duration(Duration.ofMillis(59_999)));
        assertEquals("1:00:00", ProgressFormat.duration(Duration.ofHours(1)));
        assertEquals("12,345", ProgressFormat.count(12_345));
    }
}
