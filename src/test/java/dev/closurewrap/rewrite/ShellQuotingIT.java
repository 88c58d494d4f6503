package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quoting of rewritten script bodies, judged by real shells: a body run with its store
 * references must print exactly what the rewritten body prints with {@code _cw_s} set to a
 * directory whose name has blanks and glob characters, once that name is put in place of
 * {@code /nix/store}.
 */
class ShellQuotingIT {
    private static final String H = "aylc9jn4nywbm53dz7ki75gh7g1llylq-xz";
    private static final String WEIRD = "/tmp/a  b/*?[x]";
    private static final ScriptRewriter REWRITER = new ScriptRewriter(ByteString.utf8("/nix/store"), Set.of(ByteString.utf8(H)));

    @TempDir
    Path temp;

    private static final String POSIX_BODY = String.join("\n",
            "echo /nix/store/" + H + "/bin",
            "echo \"/nix/store/" + H + "/bin\"",
            "echo '/nix/store/" + H + "/bin'",
            "echo 'a '/nix/store/" + H + "/bin' b'",
            "X=/nix/store/" + H + "/bin:$HOME; echo \"$X\"",
            "case /nix/store/" + H + "/bin/foo in /nix/store/" + H + "/bin/*) echo match ;; *) echo no ;; esac",
            "echo \"$(echo '/nix/store/" + H + "/y' \"/nix/store/" + H + "/z\")\"",
            "for d in /nix/store/" + H + "/a \"/nix/store/" + H + "/b\"; do echo \"[$d]\"; done",
            "unset U; echo ${U:-/nix/store/" + H + "/default}",
            // Unquoted: inside "${...}" the lexer gives up (shells disagree on quotes there).
            "Y=/nix/store/" + H + "/lib/x.so; echo ${Y#/nix/store/" + H + "/} ${Y%/nix/store/" + H + "/lib/x.so}|",
            "echo hi # /nix/store/" + H + " in a comment",
            "");

    private static final String BASH_BODY = POSIX_BODY + String.join("\n",
            "PATH=:/a:/nix/store/" + H + "/bin:/b:",
            "PATH=${PATH/':''/nix/store/" + H + "/bin'':'/':'}",
            "PATH='/nix/store/" + H + "/bin'$PATH",
            "echo \"$PATH\"",
            "A=(/nix/store/" + H + "/1 '/nix/store/" + H + "/2'); echo \"${#A[@]}\" \"${A[1]}\"",
            "[[ /nix/store/" + H + "/x == /nix/store/" + H + "/* ]] && echo dbl-match",
            "");

    @Test
    void rewrittenBody_underDashAndBash_printsWhatTheOriginalPrints() throws IOException {
        check("/bin/dash", POSIX_BODY);
        check("/bin/bash", BASH_BODY);
        check("/bin/busybox", POSIX_BODY);
    }

    private void check(String shell, String body) throws IOException {
        byte[] rewritten = REWRITER.relocateShellBody(body.getBytes(StandardCharsets.UTF_8)).orElseThrow();
        String rewrittenText = new String(rewritten, StandardCharsets.UTF_8);
        assertTrue(!rewrittenText.contains("/nix/store/" + H + "/b"), rewrittenText);
        Path original = temp.resolve("original.sh");
        Path relocated = temp.resolve("relocated.sh");
        Files.writeString(original, body);
        Files.writeString(relocated, "_cw_s='" + WEIRD + "'\n" + rewrittenText);
        List<String> prefix = shell.endsWith("busybox") ? List.of(shell, "sh") : List.of(shell);
        String expected = run(prefix, original).replace("/nix/store", WEIRD);
        assertEquals(expected, run(prefix, relocated), shell + " on\n" + rewrittenText);
        assertTrue(expected.contains("match\n") && expected.lines().count() > 10, expected);
    }

    private static String run(List<String> shell, Path script) throws IOException {
        List<String> command = new java.util.ArrayList<>(shell);
        command.add(script.toString());
        TestClosure.Output output = TestClosure.execute(command, Map.of("HOME", "/home/x"));
        assertEquals(0, output.exitCode(), command + ": " + output.stderr());
        assertEquals("", output.stderr(), command.toString());
        return output.stdout();
    }
}
