package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NarCommandTest {
    @TempDir
    Path tmp;

    private String out;
    private String err;

    private int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8), args);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private Path testVectorTree() throws Exception {
        Path d = tmp.resolve("d");
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("a.txt"), "hello\n");
        Files.writeString(d.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(d.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(d.resolve("link"), Path.of("a.txt"));
        Files.writeString(d.resolve("sub/B"), "x");
        Files.writeString(d.resolve("sub/empty"), "");
        return d;
    }

    @Test
    void dumpHash_testVector_printsFactsNarHashAndSize() throws Exception {
        assertEquals(0, run("nar", "dump", "--hash", testVectorTree().toString()));
        assertEquals("NarHash: sha256:0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi\nNarSize: 1264\n", out);
    }

    @Test
    void dumpLsRestore_testVector_roundTrips() throws Exception {
        Path nar = tmp.resolve("d.nar");
        assertEquals(0, run("nar", "dump", "-o", nar.toString(), testVectorTree().toString()));
        assertEquals(1264, Files.size(nar));
        assertEquals(0, run("nar", "ls", "-R", nar.toString()));
        assertEquals("./a.txt\n./link\n./run.sh\n./sub\n./sub/B\n./sub/empty\n", out);
        assertEquals(0, run("nar", "ls", "--json", nar.toString(), "/sub"));
        assertEquals("{\"type\":\"directory\",\"entries\":{\"B\":{},\"empty\":{}}}\n", out);
        assertEquals(0, run("nar", "restore", "--file", nar.toString(), tmp.resolve("r").toString()));
        assertEquals("hello\n", Files.readString(tmp.resolve("r/a.txt")));
        assertTrue(Files.isExecutable(tmp.resolve("r/run.sh")));
        assertEquals(0, run("nar", "dump", "-o", tmp.resolve("again.nar").toString(), tmp.resolve("r").toString()));
        assertArrayEquals(Files.readAllBytes(nar), Files.readAllBytes(tmp.resolve("again.nar")));
    }

    @Test
    void dumpDirectory_severalPaths_oneArchiveEachNamedAfterThePath() throws Exception {
        Path tree = testVectorTree();
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("f"), "f");
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(0, run("nar", "dump", "-d", out.toString(), tree.toString(), other.toString()));
        assertEquals(0, run("nar", "dump", "-o", tmp.resolve("single.nar").toString(), other.toString()));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("single.nar")), Files.readAllBytes(out.resolve("other.nar")));
        assertEquals(1264, Files.size(out.resolve("d.nar")));
    }

    @Test
    void dumpHash_severalPaths_printsEachUnderItsPath() throws Exception {
        Path tree = testVectorTree();
        assertEquals(0, run("nar", "dump", "--hash", tree.toString(), tree.toString()));
        String one = "Path: " + tree + "\nNarHash: sha256:0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi\nNarSize: 1264\n";
        assertEquals(one + one, out);
    }

    @Test
    void dump_severalPathsToStdout_isAUsageError() throws Exception {
        Path tree = testVectorTree();
        assertEquals(ExitCodes.USAGE, run("nar", "dump", tree.toString(), tree.toString()));
        assertTrue(err.contains("several PATHs need -d DIR"), err);
    }

    @Test
    void dumpDirectory_twoPathsWithOneName_isAUsageErrorAndWritesNothing() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a/same"));
        Path b = Files.createDirectories(tmp.resolve("b/same"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(ExitCodes.USAGE, run("nar", "dump", "-d", out.toString(), a.toString(), b.toString()));
        assertFalse(Files.exists(out.resolve("same.nar")));
    }

    @Test
    void restoreDirectory_severalArchives_eachIntoItsName() throws Exception {
        Path tree = testVectorTree();
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("f"), "f");
        Path dumps = Files.createDirectories(tmp.resolve("dumps"));
        assertEquals(0, run("nar", "dump", "-d", dumps.toString(), tree.toString(), other.toString()));
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(0, run("nar", "restore", "-d", out.toString(), dumps.resolve("d.nar").toString(),
                dumps.resolve("other.nar").toString()));
        assertEquals("hello\n", Files.readString(out.resolve("d/a.txt")));
        assertTrue(Files.isExecutable(out.resolve("d/run.sh")));
        assertEquals("f", Files.readString(out.resolve("other/f")));
    }

    @Test
    void restoreDirectory_archiveNotNamedNar_isAUsageErrorAndRestoresNothing() throws Exception {
        Path dumps = Files.createDirectories(tmp.resolve("dumps"));
        assertEquals(0, run("nar", "dump", "-d", dumps.toString(), testVectorTree().toString()));
        Files.copy(dumps.resolve("d.nar"), dumps.resolve("archive.bin"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(ExitCodes.USAGE, run("nar", "restore", "-d", out.toString(), dumps.resolve("d.nar").toString(),
                dumps.resolve("archive.bin").toString()));
        assertTrue(err.contains("expected NAME.nar"), err);
        assertFalse(Files.exists(out.resolve("d")));
    }

    @Test
    void restore_twoTargetsWithoutDirectory_isAUsageError() throws Exception {
        assertEquals(ExitCodes.USAGE, run("nar", "restore", tmp.resolve("a").toString(), tmp.resolve("b").toString()));
        assertTrue(err.contains("several need -d DIR"), err);
    }

    @Test
    void restore_truncatedArchive_exitsBadInputAndCreatesNothing() throws Exception {
        Path nar = tmp.resolve("d.nar");
        run("nar", "dump", "-o", nar.toString(), testVectorTree().toString());
        Path cut = tmp.resolve("cut.nar");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(nar), 500));
        assertEquals(ExitCodes.BAD_INPUT, run("nar", "restore", "-f", cut.toString(), tmp.resolve("r").toString()));
        assertTrue(err.contains("cut.nar!/: bad NAR at 0x1f0:"), err);
        assertFalse(Files.exists(tmp.resolve("r")));
    }

    @Test
    void dump_missingPath_toOutput_exitsBadInputAndLeavesTheOutputAlone() throws Exception {
        Path nar = tmp.resolve("d.nar");
        Files.writeString(nar, "an earlier archive");
        assertEquals(ExitCodes.BAD_INPUT, run("nar", "dump", "-o", nar.toString(), tmp.resolve("nope").toString()));
        assertEquals("an earlier archive", Files.readString(nar));
        try (var siblings = Files.list(tmp)) {
            assertEquals(1, siblings.count(), "no temp file left beside the output");
        }
    }

    @Test
    void ls_missingPath_exitsBadInput() throws Exception {
        Path nar = tmp.resolve("d.nar");
        run("nar", "dump", "-o", nar.toString(), testVectorTree().toString());
        assertEquals(ExitCodes.BAD_INPUT, run("nar", "ls", nar.toString(), "/nope"));
        assertTrue(err.contains("no path"), err);
    }
}
