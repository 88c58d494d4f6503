package dev.closurewrap.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.closurewrap.io.ByteString;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a writing child JVM with SIGKILL and checks what the reopened store claims. */
class CheckpointCrashTest {
    static final JobRecord JOB = new JobRecord(List.of("/nix/store/crash-test"), "relative", "out",
            Sha256.hash(new byte[0]), "test", 0L);
    static final Sha256 PLAN = Sha256.hash("plan".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path temp;

    static byte[] content(String name) {
        return ("output of " + name + "\n").repeat(50).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void killDashNine_midWrites_reopenedStoreClaimsOnlyDurableOutputsAndKeepsEveryReportedDone() throws Exception {
        Path state = temp.resolve("state");
        Path out = temp.resolve("out");
        Set<String> reported = new HashSet<>();
        // Two rounds: the second resumes the first's state and is killed too.
        for (int round = 0; round < 2; round++) {
            reported.addAll(runAndKill(state, out, 250 * (round + 1)));
            try (CheckpointStore store = CheckpointStore.open(state, JOB, CheckpointStore.OnOtherJob.REFUSE,
                    SyncPolicy.EVERY_RECORD)) {
                checkConsistent(store, out, reported);
            }
        }
    }

    /** Starts the child, waits for {@code atLeast} DONE lines in total, kills it; returns the paths it reported. */
    private Set<String> runAndKill(Path state, Path out, int atLeast) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CheckpointCrashChild.class.getName(),
                state.toString(), out.toString(), "4");
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = builder.start();
        Set<String> reported = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long alreadyDone = Files.exists(out) ? countFiles(out) : 0;
            while (alreadyDone + reported.size() < atLeast) {
                String line = lines.readLine();
                if (line == null) {
                    fail("child exited early with " + child.waitFor());
                }
                if (System.nanoTime() > deadline) {
                    fail("child too slow: " + reported.size() + " records");
                }
                reported.add(line.substring("done ".length()));
            }
            // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe.
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            // Lines already in the pipe were printed after their DONE returned: they count too.
            for (String line; (line = lines.readLine()) != null; ) {
                reported.add(line.substring("done ".length()));
            }
        } finally {
            child.destroyForcibly();
        }
        return reported;
    }

    private static long countFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(f -> !f.getFileName().toString().startsWith(".")).count();
        }
    }

    private static void checkConsistent(CheckpointStore store, Path out, Set<String> reported) throws IOException {
        int done = 0;
        for (FileRecord record : store.records()) {
            if (record.state() instanceof FileState.Done d) {
                done++;
                String name = record.path().utf8().substring("store/x/".length());
                Path file = out.resolve(name);
                assertTrue(Files.exists(file), "DONE without output: " + record.path());
                assertEquals(d.outputHash(), Sha256.hash(file), "DONE with other output: " + record.path());
                assertEquals(Optional.of(new ReusableResult(d.outputHash(), record.path())),
                        store.reusableResult(record.inputHash(), record.planHash()));
            }
        }
        for (String path : reported) {
            Optional<FileRecord> record = store.get(ByteString.utf8(path));
            assertTrue(record.isPresent() && record.get().state().isFinished(), "reported DONE but lost: " + path);
        }
        assertTrue(done >= reported.size(), done + " DONE records for " + reported.size() + " reported");
    }
}
