package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureExecTest {
    @TempDir
    Path temp;

    @Test
    void reasons_nameModeAndCapabilitiesEach() throws Exception {
        Path file = Files.createFile(temp.resolve(".ping-real"));
        Files.setAttribute(file, "unix:mode", 06755);
        assertEquals(List.of("setuid", "setgid", "file capabilities cap_net_raw=ep",
                        "NixOS runs ping through a security wrapper"),
                SecureExec.reasons(file, "ping", Map.of(file, "cap_net_raw=ep")));
    }

    @Test
    void reasons_ofAnOrdinaryProgram_areNone() throws Exception {
        Path file = Files.createFile(temp.resolve("hello"));
        Files.setAttribute(file, "unix:mode", 0755);
        assertEquals(List.of(), SecureExec.reasons(file, "hello", Map.of()));
    }

    @Test
    void capabilities_areReadFromGetcap() throws Exception {
        Path file = Files.createFile(temp.resolve("raw"));
        new ProcessBuilder("setcap", "cap_net_raw+ep", file.toString()).inheritIO().start().waitFor();
        assertEquals(Map.of(file, "cap_net_raw=ep"), SecureExec.capabilities(temp).orElseThrow());
    }
}
