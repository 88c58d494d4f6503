package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sub-commands on missing files, directories and links: exit 3, the file named, the problem said, no trace. */
class CommandsBadInputTest {
    @TempDir
    Path dir;

    private static void assertBadInput(MainTest.Result r, String expected) {
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("closure-wrap: " + expected), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void patch_missingFile_saysNoSuchFile() {
        Path missing = dir.resolve("nope");
        assertBadInput(MainTest.run("patch", "--set-rpath", "/x", missing.toString()),
                missing + ": no such file or directory");
    }

    @Test
    void patch_directory_isBadInput_namingIt() {
        assertBadInput(MainTest.run("patch", "--print-needed", dir.toString()), dir + ": bad ELF: is a directory");
    }

    @Test
    void narDump_missingPath_saysNoSuchFile_andLeavesTheOutputAlone() throws IOException {
        Path missing = dir.resolve("nope");
        Path out = Files.writeString(dir.resolve("earlier.nar"), "an earlier archive");
        assertBadInput(MainTest.run("nar", "dump", missing.toString(), "-o", out.toString()),
                missing + ": no such file or directory");
        assertEquals("an earlier archive", Files.readString(out));
    }

    @Test
    void narDump_failingHalfWay_leavesNoHalfWrittenOutput() throws IOException, InterruptedException {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("a"), "a".repeat(100_000));
        Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("z-pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        Path out = dir.resolve("tree.nar");
        MainTest.Result r = MainTest.run("nar", "dump", tree.toString(), "-o", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("z-pipe"), r.err());
        assertFalse(Files.exists(out), "a half-written " + out + " was left");
        try (var left = Files.list(dir)) {
            assertEquals(0, left.filter(p -> p.getFileName().toString().contains("tree.nar")).count());
        }
    }

    @Test
    void graph_missingRoot_saysNoSuchFile() {
        Path missing = dir.resolve("nope");
        assertBadInput(MainTest.run("graph", missing.toString()), missing + ": no such file or directory");
    }

    @Test
    void graph_plainDirectory_saysWhatARootCanBe() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        assertBadInput(MainTest.run("graph", plain.toString()),
                plain + ": not supported: a directory that is neither a store path");
    }

    @Test
    void narRestore_intoAnExistingDirectory_isAUsageError_andTouchesNothing() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("a"), "a");
        Path nar = dir.resolve("tree.nar");
        assertEquals(0, MainTest.run("nar", "dump", tree.toString(), "-o", nar.toString()).code());
        Path existing = Files.createDirectories(dir.resolve("existing"));
        MainTest.Result r = MainTest.run("nar", "restore", "-f", nar.toString(), existing.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(existing + ": already exists: nar restore creates DIR"), r.err());
        try (var left = Files.list(existing)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void narRestore_underAMissingDirectory_namesThatDirectory() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path nar = dir.resolve("tree.nar");
        assertEquals(0, MainTest.run("nar", "dump", tree.toString(), "-o", nar.toString()).code());
        Path parent = dir.resolve("missing/deep");
        assertBadInput(MainTest.run("nar", "restore", "-f", nar.toString(), parent.resolve("x").toString()),
                parent + ": no such directory");
    }

    @Test
    void verify_ofATarball_saysToUnpackItFirst() throws IOException {
        Path tarball = Files.writeString(dir.resolve("app.tar.zst"), "not really");
        assertBadInput(MainTest.run("verify", tarball.toString()), tarball + ": bad bundle: not a directory");
        assertTrue(MainTest.run("verify", tarball.toString()).err().contains("unpack it"));
    }
}
