package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.bundle.ConfigLoader;
import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.JobRecord;
import dev.closurewrap.checkpoint.Sha256;
import dev.closurewrap.checkpoint.SyncPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wrap command's options and configuration layers, up to where the job would start. */
class WrapCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    /** Runs with the given user file (no system file) and 3 cores. */
    Result run(Path userFile, String... args) {
        WrapCommand command = new WrapCommand();
        command.loader = new ConfigLoader(Optional.empty(), Optional.ofNullable(userFile), 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                command, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String value(String configText, String key) {
        return configText.lines().filter(l -> l.startsWith(key + " = ")).findFirst().orElseThrow()
                .substring(key.length() + 3);
    }

    @Test
    void showConfig_appliesUserFile_thenConfigFile_thenOption_thenFlags() throws IOException {
        Path user = Files.writeString(dir.resolve("user"), "zstd-level = 10\nxz-level = 1\njobs = 8\nhardlink = true\n");
        Path explicit = Files.writeString(dir.resolve("explicit"), "zstd-level = 11\ngzip-level = 2\n");
        Result r = run(user, "--config", explicit.toString(), "--option", "gzip-level", "9", "-j", "2", "--no-hardlink",
                "--show-config");
        assertEquals(0, r.code(), r.err());
        assertEquals("11", value(r.out(), "zstd-level"));
        assertEquals("1", value(r.out(), "xz-level"));
        assertEquals("9", value(r.out(), "gzip-level"));
        assertEquals("2", value(r.out(), "jobs"));
        assertEquals("false", value(r.out(), "hardlink"));
    }

    @Test
    void jobsAuto_isEveryCore_hardlinkFlag_turnsItOn() {
        Result r = run(null, "--hardlink", "--show-config");
        assertEquals("3", value(r.out(), "jobs"));
        assertEquals("true", value(r.out(), "hardlink"));
    }

    @Test
    void badConfigFile_isBadInput_namingFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad"), "# ok\nzstd-level = 99\n");
        Result r = run(null, "--config", bad.toString(), "--relative", "/nix/store/x");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals("closure-wrap: " + bad + ":2: bad closure-wrap config: zstd-level must be 1 to 22, got 99\n", r.err());
    }

    @Test
    void badUserFile_isBadInputToo() throws IOException {
        Path user = Files.writeString(dir.resolve("user"), "jbos = 2\n");
        Result r = run(user, "--show-config");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains(user + ":1: bad closure-wrap config: unknown key 'jbos'"), r.err());
    }

    @Test
    void missingConfigFile_isBadInput() {
        Result r = run(null, "--config", dir.resolve("nope").toString(), "--show-config");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals("closure-wrap: " + dir.resolve("nope") + ": no such configuration file\n", r.err());
    }

    @Test
    void badOption_andBadJobs_areUsageErrors() {
        Result option = run(null, "--option", "xz-level", "11", "--show-config");
        assertEquals(ExitCodes.USAGE, option.code());
        assertTrue(option.err().contains("--option xz-level: bad closure-wrap config: xz-level must be 0 to 9, got 11"),
                option.err());
        Result unknown = run(null, "--option", "nope", "1", "--show-config");
        assertEquals(ExitCodes.USAGE, unknown.code());
        assertEquals(ExitCodes.USAGE, run(null, "-j", "0", "--relative", "/nix/store/x").code());
    }

    @Test
    void verboseAndQuiet_together_isAUsageError() {
        Result r = run(null, "-v", "-q", "--relative", "/nix/store/x");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--verbose and --quiet"), r.err());
    }

    @Test
    void everyJobOption_parses_andAMissingRoot_isBadInput() {
        Result r = run(null, "--relative", "--dry-run", "--hardlink", "--json", "--verbose", "-o", dir.resolve("out").toString(),
                dir.resolve("store/0123456789abcdfghijklmnpqrsvwxyz-x").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("0123456789abcdfghijklmnpqrsvwxyz-x"), r.err());
    }

    @Test
    void prefix_isForAbsoluteMode_andAbsolute() {
        assertEquals(ExitCodes.USAGE, run(null, "--relative", "--prefix", "/opt/x", "-o", "out", "/nix/store/x").code());
        Result relativePrefix = run(null, "--absolute", "--prefix", "opt/x", "-o", "out", "/nix/store/x");
        assertEquals(ExitCodes.USAGE, relativePrefix.code());
        assertTrue(relativePrefix.err().contains("--prefix must be an absolute path"), relativePrefix.err());
    }

    @Test
    void output_isNeeded_unlessDryRun() {
        Result r = run(null, "--relative", "/nix/store/x");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("Missing -o OUT"), r.err());
    }

    @Test
    void hostProgram_dryRun_plansTheHostTree() {
        Result r = run(null, "--relative", "--dry-run", "--json", "-q", "/usr/bin/env");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("\"tree\":\"host\"") || r.out().contains("\"tree\" : \"host\""), r.out());
        assertTrue(r.out().contains("host/usr/bin/.env-real"), r.out());
    }

    @Test
    void hostPrograms_andStorePaths_areNotMixed() {
        Result r = run(null, "--relative", "--dry-run", "/usr/bin/env",
                "/nix/store/00000000000000000000000000000000-x");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("host programs and store paths cannot be wrapped in one job"), r.err());
    }

    @Test
    void hostProgram_toANarOrBinaryCache_isRefused() {
        for (String out : List.of("/tmp/never-written.nar", "file:///tmp/never-written-cache")) {
            Result r = run(null, "--relative", "-o", out, "/usr/bin/env");
            assertEquals(ExitCodes.BAD_INPUT, r.code(), out);
            assertTrue(r.err().contains("write host programs to a directory or a tarball"), r.err());
        }
    }

    @Test
    void stateDirectoryHeldByAnotherJob_isAUsageErrorNamingIt() throws IOException {
        Path state = dir.resolve("state");
        JobRecord other = new JobRecord(List.of("/usr/bin/true"), "relative", "elsewhere",
                Sha256.hash(new byte[0]), "test", 0L);
        try (CheckpointStore held = CheckpointStore.open(state, other, CheckpointStore.OnOtherJob.REFUSE,
                SyncPolicy.EVERY_RECORD)) {
            Result r = run(null, "--relative", "-q", "-o", dir.resolve("out").toString(), "--state", state.toString(),
                    "/usr/bin/env");
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertTrue(r.err().contains(state + ": ") && r.err().contains("another closure-wrap job"), r.err());
            assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        }
        assertTrue(Files.notExists(dir.resolve("out")), "nothing written");
    }

    @Test
    void stateDir_isTheFlag_elseTheRuleAppliedToTheOutput_elseNone() throws IOException {
        WrapCommand c = new WrapCommand();
        var settings = new ConfigLoader(Optional.empty(), Optional.empty(), 1).load();
        assertEquals(Optional.empty(), c.stateDir(settings));
        c.output = "/tmp/app.tar.zst";
        assertEquals(Optional.of(Path.of("/tmp/app.tar.zst.closure-wrap-state")), c.stateDir(settings));
        c.state = Path.of("/var/tmp/s");
        assertEquals(Optional.of(Path.of("/var/tmp/s")), c.stateDir(settings));
    }

    @Test
    void help_showsTheNewOptions() {
        Result r = run(null, "--help");
        for (String option : new String[] {"--config", "--option", "--json", "--verbose", "--quiet", "--dry-run",
            "--[no-]hardlink", "--show-config"}) {
            assertTrue(r.out().contains(option), option + " missing from:\n" + r.out());
        }
    }
}
