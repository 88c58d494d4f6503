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
}
