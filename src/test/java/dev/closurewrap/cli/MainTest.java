package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void version_printsNameAndExitsZero() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("closure-wrap "), r.out());
    }

    @Test
    void help_listsEverySubCommandAndExitCodes() {
        Result r = run("--help");
        assertEquals(0, r.code());
        for (String sub : new String[] {"inspect", "graph", "verify", "patch", "nar", "status"}) {
            assertTrue(r.out().contains(sub), "help lacks " + sub + ":\n" + r.out());
        }
        assertTrue(r.out().contains("bad input"), r.out());
    }

    @Test
    void unknownOption_isUsageError() {
        Result r = run("--no-such-flag");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--no-such-flag"), r.err());
    }

    @Test
    void bothModes_isUsageError() {
        assertEquals(ExitCodes.USAGE, run("--relative", "--absolute", "/nix/store/x").code());
    }

    @Test
    void rootWithoutMode_isUsageError() {
        Result r = run("/nix/store/x");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--relative or --absolute"), r.err());
    }

    @Test
    void subcommands_areRegisteredWhenAnArgumentNamesOneOrAsksForHelp_only() {
        assertTrue(Main.mayNameASubcommand());
        assertTrue(Main.mayNameASubcommand("--config", "x.conf", "status", "--state", "s"));
        assertTrue(Main.mayNameASubcommand("--relative", "--help"));
        assertTrue(Main.mayNameASubcommand("nar", "dump", "/nix/store/x"));
        assertEquals(false, Main.mayNameASubcommand("--relative", "/nix/store/x-app", "-o", "app.tar.zst"));
    }

    @Test
    void aSubcommandAfterTheRootsOptions_stillRuns() {
        Result r = run("-q", "nar", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dump"), r.out());
        Result help = run("-h");
        assertTrue(help.out().contains("status"), help.out());
    }
}
