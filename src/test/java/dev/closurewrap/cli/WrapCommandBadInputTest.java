package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.bundle.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wrap command on the inputs a careless or unlucky user gives it: each case found by trying the
 * finished tool, each answered with a message that names the file and says what to do.
 */
class WrapCommandBadInputTest {
    @TempDir
    Path dir;

    /** A store outside {@code /nix/store} with one path (found by scanning, no Nix database needed). */
    Path store;
    Path app;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void fakeStore() throws IOException {
        store = Files.createDirectories(dir.resolve("store"));
        app = Files.createDirectories(store.resolve("0123456789abcdfghijklmnpqrsvwxyz-app"));
        Files.writeString(Files.createDirectories(app.resolve("share")).resolve("readme"), "hello\n");
    }

    Result run(String... args) {
        WrapCommand command = new WrapCommand();
        command.loader = new ConfigLoader(Optional.empty(), Optional.empty(), 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), command, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static long entries(Path tree) throws IOException {
        try (Stream<Path> s = Files.walk(tree)) {
            return s.count();
        }
    }

    @Test
    void output_insideARootStorePath_isAUsageError_andTheInputStaysUntouched() throws IOException {
        long before = entries(app);
        Result r = run("--relative", app.toString(), "-o", app.resolve("out").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(app.resolve("out") + ": the output must not be inside the input " + app), r.err());
        assertEquals(before, entries(app));
        assertFalse(Files.exists(app.resolve("out.closure-wrap-state")));
    }

    @Test
    void output_thatIsTheInputArchive_isAUsageError_andTheArchiveStaysAsItWas() throws IOException {
        Path nar = dir.resolve("app.nar");
        assertEquals(ExitCodes.OK, MainTest.run("nar", "dump", app.toString(), "-o", nar.toString()).code());
        byte[] before = Files.readAllBytes(nar);
        Result r = run("--relative", nar.toString(), "-o", nar.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(nar + ": the output must not be inside the input " + nar), r.err());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(nar));
    }

    @Test
    void archiveWithABadElf_reportsItByTheArchiveName_andTwoRunsGiveTheSameTarball() throws IOException {
        // ELF magic, then a header cut short: the reader rejects it, the job copies it unchanged.
        byte[] bad = new byte[40];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0, bad, 0, 7);
        Files.write(Files.createDirectories(app.resolve("lib")).resolve("libbad.so"), bad);
        Path nar = dir.resolve("app.nar");
        assertEquals(ExitCodes.OK, MainTest.run("nar", "dump", app.toString(), "-o", nar.toString()).code());
        Result first = run("-q", "--relative", nar.toString(), "-o", dir.resolve("1.tar").toString());
        Result second = run("-q", "--relative", nar.toString(), "-o", dir.resolve("2.tar").toString());
        assertEquals(ExitCodes.SOME_FILES_FAILED, first.code(), first.err());
        assertTrue(first.err().contains(nar + "!/"), first.err());
        assertFalse(first.err().contains("closure-wrap-restore"), first.err());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(dir.resolve("1.tar")),
                Files.readAllBytes(dir.resolve("2.tar")));
    }

    @Test
    void output_anExistingFileForADirectoryOutput_isAUsageError_beforeAnyWork() throws IOException {
        Path file = Files.writeString(dir.resolve("notes"), "keep me\n");
        Result r = run("--relative", app.toString(), "-o", file.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(file + ": exists and is not a directory"), r.err());
        assertEquals("keep me\n", Files.readString(file));
        assertFalse(Files.exists(dir.resolve("notes.closure-wrap-state")));
    }

    @Test
    void state_anExistingFile_isAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("notes"), "keep me\n");
        Result r = run("--relative", app.toString(), "-o", dir.resolve("out").toString(), "--state", file.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--state " + file + ": exists and is not a directory"), r.err());
        assertEquals("keep me\n", Files.readString(file));
    }

    @Test
    void output_insideTheStoreDirectory_isAUsageError() throws IOException {
        Result r = run("--absolute", app.toString(), "-o", store.resolve("bundle.tar").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("must not be inside the input store " + store), r.err());
        assertFalse(Files.exists(store.resolve("bundle.tar")));
    }

    @Test
    void state_insideARootStorePath_isAUsageError() throws IOException {
        long before = entries(app);
        Result r = run("--relative", app.toString(), "-o", dir.resolve("out").toString(),
                "--state", app.resolve("state").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--state " + app.resolve("state")), r.err());
        assertEquals(before, entries(app));
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.nar.gz", "app.nar.bz2", "app.tar.bz2", "app.tar.zstd", "app.zip", "app.tbz2", "app.gz"})
    void output_withAnArchiveSuffixWeDoNotWrite_isAUsageError_notADirectory(String name) {
        Path out = dir.resolve(name);
        Result r = run("--relative", app.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(out + ": unknown output form"), r.err());
        assertTrue(r.err().contains("*.tar.zst"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void output_directoryWithADotInItsName_isStillADirectory() {
        Path out = dir.resolve("app-1.2.3");
        Result r = run("--relative", app.toString(), "-o", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(Files.isDirectory(out.resolve("store")));
    }

    @Test
    void narOutput_withTwoRoots_isAUsageError_beforeAnyWork() throws IOException {
        Path other = Files.createDirectories(store.resolve("11111111111111111111111111111111-other"));
        Files.writeString(other.resolve("x"), "x\n");
        Path out = dir.resolve("two.nar");
        Result r = run("--relative", app.toString(), other.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("a NAR output holds one store path: give one ROOT"), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("two.nar.closure-wrap-state")));
    }

    @Test
    void root_thatDoesNotExist_saysSo() {
        Path missing = dir.resolve("no-such-thing");
        Result r = run("--relative", missing.toString(), "-o", dir.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains(missing + ": no such file or directory"), r.err());
    }

    @Test
    void root_aDirectoryOutsideAnyStore_saysWhatARootCanBe() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Result r = run("--relative", plain.toString(), "-o", dir.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains(plain + ": not supported: a directory that is neither a store path"), r.err());
        assertTrue(r.err().contains("nix-cache-info"), r.err());
    }

    @Test
    void root_aSymlinkLoop_saysSo() throws IOException {
        Path a = dir.resolve("loop-a");
        Files.createSymbolicLink(a, dir.resolve("loop-b"));
        Files.createSymbolicLink(dir.resolve("loop-b"), a);
        Result r = run("--relative", a.toString(), "-o", dir.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains(a + ": symbolic link loop"), r.err());
    }

    @Test
    void failedJob_doesNotReportItselfDone() {
        Result r = run("--relative", dir.resolve("no-such-thing").toString(), "-o", dir.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertFalse(r.err().contains("done in"), r.err());
    }

    @Test
    void output_holdingAnotherJobsBundle_isRefused_andKeptAsItWas() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(ExitCodes.OK, run("--relative", app.toString(), "-o", out.toString()).code());
        String manifest = Files.readString(out.resolve("closure-wrap.json"));
        Result r = run("--absolute", app.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(out + " holds the bundle of another job (--relative " + app + ")"), r.err());
        assertEquals(manifest, Files.readString(out.resolve("closure-wrap.json")));
    }

    @Test
    void output_holdingThisJobsBundle_isARerun() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(ExitCodes.OK, run("--relative", app.toString(), "-o", out.toString()).code());
        Result again = run("--relative", app.toString(), "-o", out.toString());
        assertEquals(ExitCodes.OK, again.code(), again.err());
    }
}
