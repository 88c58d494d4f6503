package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and resume, with the real command in a child process ({@code target/closure-wrap}):
 * runs killed with {@code kill -9} at random moments and then resumed end byte-identical to an
 * uninterrupted run, for directory and tarball outputs; a run over a finished job rewrites nothing;
 * another job on the same state directory reuses the results of the first.
 */
class WrapResumeIT {
    private static final int RUNS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void killedRuns_resumed_endIdenticalToAnUninterruptedRun_andAFinishedJobRewritesNothing() throws Exception {
        Path refDir = dir.resolve("ref/out");
        Path refTar = dir.resolve("ref/out.tar.zst");
        long start = System.nanoTime();
        assertEquals(0, runToEnd(refDir.toString(), dir.resolve("ref/state-dir"), List.of()).exitCode);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, runToEnd(refTar.toString(), dir.resolve("ref/state-tar"), List.of()).exitCode);
        Map<String, String> refTree = WrapTesting.describeTree(refDir);
        byte[] refTarBytes = Files.readAllBytes(refTar);

        long seed = System.nanoTime();
        Random random = new Random(seed);
        int killed = 0;
        List<String> log = new ArrayList<>();
        long resumedFiles = 0;
        for (int i = 0; i < RUNS; i++) {
            boolean tar = i % 4 == 1 || i % 4 == 2;
            boolean byProgress = i % 2 == 1;
            Path out = dir.resolve("run-" + i + (tar ? "/out.tar.zst" : "/out"));
            Path state = dir.resolve("run-" + i + "/state");
            Process p = start(out.toString(), state, List.of("-j", Integer.toString(1 + i % 2)), dir.resolve("run-" + i + "/log"));
            String when;
            boolean finishedFirst;
            if (byProgress) {
                // In the middle of the rewrite phase: once k rewritten files are staged.
                int k = 1 + random.nextInt(40);
                when = "after " + k + " staged files";
                Path staged = state.resolve("staged");
                finishedFirst = false;
                while (stagedCount(staged) < k) {
                    if (p.waitFor(5, TimeUnit.MILLISECONDS)) {
                        finishedFirst = true;
                        break;
                    }
                }
            } else {
                // Anywhere between 15 % and 95 % of an uninterrupted run's time (which includes the JVM's start).
                long delay = (long) (millis * (0.15 + 0.8 * random.nextDouble()));
                when = "after " + delay + " ms";
                finishedFirst = p.waitFor(delay, TimeUnit.MILLISECONDS);
            }
            if (!finishedFirst) {
                p.destroyForcibly(); // SIGKILL
                p.waitFor();
                killed++;
            }
            Child resumed = runToEnd(out.toString(), state, List.of("--json"));
            assertEquals(0, resumed.exitCode, "resumed run " + i + " (seed " + seed + "): " + resumed.err);
            long resumedHere = JSON.readTree(resumed.out).get("files").get("resumed").asLong();
            resumedFiles += resumedHere;
            log.add("run " + i + (tar ? " tar" : " dir") + " killed " + when + ": " + !finishedFirst
                    + ", resumed " + resumedHere + " files");
            if (tar) {
                assertArrayEquals(refTarBytes, Files.readAllBytes(out), "tarball of run " + i + " (seed " + seed + ") " + log);
            } else {
                assertEquals(refTree, WrapTesting.describeTree(out), "tree of run " + i + " (seed " + seed + ") " + log);
            }
        }
        System.out.println(String.join("\n", log));
        assertTrue(resumedFiles > 0, "no run was killed after finishing a file: " + log);
        assertTrue(killed >= 10, "only " + killed + " runs were still running when killed: " + log);

        // A run over a finished job rewrites nothing, and leaves the output as it is.
        for (Path out : List.of(refDir, refTar)) {
            Path state = out.equals(refDir) ? dir.resolve("ref/state-dir") : dir.resolve("ref/state-tar");
            Child again = runToEnd(out.toString(), state, List.of("--json"));
            assertEquals(0, again.exitCode, again.err);
            JsonNode files = JSON.readTree(again.out).get("files");
            assertEquals(0, files.get("rewritten").asLong(), again.out);
            assertEquals(0, files.get("unchanged").asLong(), again.out);
            assertEquals(files.get("total").asLong(), files.get("resumed").asLong(), again.out);
            assertTrue(files.get("total").asLong() > 50, again.out);
            assertTrue(JSON.readTree(again.out).get("upToDate").asBoolean(), again.out);
        }
        assertEquals(refTree, WrapTesting.describeTree(refDir));
        assertArrayEquals(refTarBytes, Files.readAllBytes(refTar));
    }

    @Test
    void anotherJob_onTheSameStateDirectory_reusesEveryRewrite() throws Exception {
        Path state = dir.resolve("state");
        Child first = runToEnd(dir.resolve("a").toString(), state, List.of("--json"));
        assertEquals(0, first.exitCode, first.err);
        long rewritten = JSON.readTree(first.out).get("files").get("rewritten").asLong();
        assertTrue(rewritten > 40, first.out);
        assertEquals(0, JSON.readTree(first.out).get("reused").asLong(), first.out);

        Child second = runToEnd(dir.resolve("b.tar").toString(), state, List.of("--json"));
        assertEquals(0, second.exitCode, second.err);
        assertEquals(rewritten, JSON.readTree(second.out).get("reused").asLong(), second.out);

        // Reused or not, the output is what a fresh job writes.
        Child fresh = runToEnd(dir.resolve("c.tar").toString(), dir.resolve("fresh-state"), List.of());
        assertEquals(0, fresh.exitCode, fresh.err);
        assertArrayEquals(Files.readAllBytes(dir.resolve("c.tar")), Files.readAllBytes(dir.resolve("b.tar")));
    }

    private static long stagedCount(Path staged) throws IOException {
        if (!Files.isDirectory(staged)) {
            return 0;
        }
        try (var list = Files.list(staged)) {
            return list.filter(f -> !f.getFileName().toString().startsWith(".")).count();
        }
    }

    record Child(int exitCode, String out, String err) {}

    private Child runToEnd(String out, Path state, List<String> extra) throws Exception {
        Path logs = Files.createTempDirectory(dir, "log");
        Process p = start(out, state, extra, logs);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("closure-wrap did not finish in 5 minutes");
        }
        return new Child(p.exitValue(), Files.readString(logs.resolve("stdout")), Files.readString(logs.resolve("stderr")));
    }

    private static Process start(String out, Path state, List<String> extra, Path logs) throws IOException {
        Files.createDirectories(logs);
        List<String> command = new ArrayList<>(List.of(launcher().toString(), "--relative", "-q", "-o", out,
                "--state", state.toString()));
        command.addAll(extra);
        command.addAll(WrapTesting.roots());
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(logs.resolve("stdout").toFile())
                .redirectError(logs.resolve("stderr").toFile())
                .start();
    }

    /** {@code target/closure-wrap}, built by {@code mvn package} before the integration tests run. */
    private static Path launcher() {
        String home = System.getenv("CLOSURE_WRAP_HOME");
        Path launcher = Path.of(home == null ? "target" : home, "closure-wrap");
        assertTrue(Files.isExecutable(launcher), launcher + " is missing: run mvn package first");
        return launcher;
    }
}
