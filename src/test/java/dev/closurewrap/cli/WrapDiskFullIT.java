package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is not bad input: the job stops with exit 4 and a message naming where it was
 * writing, leaves no half-written file and no file "copied unchanged" in place of a rewrite, and a
 * rerun after space is freed ends with what an uninterrupted run writes. The small disk is a tmpfs
 * in a private mount namespace ({@code unshare -m}, as root).
 */
class WrapDiskFullIT {
    @TempDir
    Path dir;
    Path disk;
    String root;

    @BeforeEach
    void smallDisk() throws IOException {
        disk = Files.createDirectories(dir.resolve("disk"));
        root = TestClosure.path("app").toString();
        TestClosure.Output probe = TestClosure.execute(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs -o size=1m none " + disk), Map.of());
        assumeTrue(probe.exitCode() == 0, "cannot mount a tmpfs here: " + probe.stderr());
    }

    /** Runs {@code script} in a private mount namespace with a 1 MiB tmpfs at {@code disk}. */
    private TestClosure.Output onSmallDisk(String script) throws IOException {
        return TestClosure.execute(List.of("unshare", "-m", "sh", "-c",
                "set -u; mount -t tmpfs -o size=1m none " + disk + " && " + script), Map.of());
    }

    private static String launcher() {
        String home = System.getenv("CLOSURE_WRAP_HOME");
        Path launcher = Path.of(home == null ? "target" : home, "closure-wrap").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), launcher + " is missing: run mvn package first");
        return launcher.toString();
    }

    @Test
    void stateOnAFullDisk_stopsTheJob_insteadOfCopyingFilesUnchanged() throws IOException {
        Path out = dir.resolve("out");
        TestClosure.Output o = onSmallDisk(launcher() + " -q --relative " + root + " -o " + out + " --state " + disk
                + "/state; echo \"rc=$?\"");
        assertTrue(o.stdout().contains("rc=4"), o.stdout() + o.stderr());
        assertTrue(o.stderr().contains(disk + "/state/staged"), o.stderr());
        assertTrue(o.stderr().contains("No space left on device"), o.stderr());
        assertFalse(o.stderr().contains("could not be rewritten"), o.stderr());
        assertFalse(Files.exists(out.resolve("closure-wrap.json")), "a full disk must not give a finished bundle");
    }

    @Test
    void outputOnAFullDisk_isNamed_andTheRerunAfterFreeingSpace_endsAsAnUninterruptedRun() throws IOException {
        // The reference comes from the same launcher: the manifest names the tool's version.
        Path reference = dir.resolve("reference");
        TestClosure.Output ref = TestClosure.execute(List.of(launcher(), "-q", "--relative", root, "-o",
                reference.toString()), Map.of());
        assertEquals(0, ref.exitCode(), ref.stderr());
        Path copy = dir.resolve("copy");
        TestClosure.Output o = onSmallDisk(launcher() + " -q --relative " + root + " -o " + disk + "/out; echo \"rc=$?\";"
                + " ls -a " + disk + "/out; mount -o remount,size=200m " + disk + " && " + launcher() + " -q --relative "
                + root + " -o " + disk + "/out; echo \"rerun=$?\"; cp -a " + disk + "/out " + copy);
        assertTrue(o.stdout().contains("rc=4"), o.stdout() + o.stderr());
        assertTrue(o.stderr().contains(disk + "/out"), o.stderr());
        assertFalse(o.stderr().contains(disk + "/out: " + disk + "/out"), "the output named once: " + o.stderr());
        assertTrue(o.stderr().contains("No space left on device"), o.stderr());
        assertTrue(o.stdout().contains("rerun=0"), o.stdout() + o.stderr());
        TestClosure.Output diff = TestClosure.execute(List.of("diff", "-r", "--no-dereference", reference.toString(),
                copy.toString()), Map.of());
        assertEquals(0, diff.exitCode(), diff.stdout() + diff.stderr());
        assertEquals(Files.readString(reference.resolve("closure-wrap.json"), StandardCharsets.UTF_8),
                Files.readString(copy.resolve("closure-wrap.json"), StandardCharsets.UTF_8));
    }
}
