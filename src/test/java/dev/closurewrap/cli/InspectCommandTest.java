package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A copy of the test JVM's own launcher: a real, dynamically linked host program. */
    private static Path hostProgram() {
        return Path.of(ProcessHandle.current().info().command().orElseThrow());
    }

    @Test
    void json_hostProgram_reportsItsDynamicInformation() throws IOException {
        Path java = hostProgram();
        ElfFile parsed = ElfFile.open(java);
        Run r = run("inspect", "--json", java.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode node = new ObjectMapper().readTree(r.out()).get(0);
        assertEquals(java.toString(), node.get("file").asText());
        assertEquals(parsed.needed().size(), node.get("needed").size());
        assertEquals(parsed.needed().get(0).utf8(), node.get("needed").get(0).asText());
        assertEquals("ELF64", node.get("class").asText());
        assertEquals("little-endian", node.get("data").asText());
        assertEquals("glibc", node.get("loader_family").asText());
        assertEquals(parsed.interpreterPath().orElseThrow().utf8(), node.get("interpreter").asText());
    }

    @Test
    void badFile_isReportedAndTheOthersStillInspected_exit3(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.so");
        Files.write(bad, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0});
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello\n");
        Run r = run("inspect", bad.toString(), text.toString(), hostProgram().toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains(bad + ": bad ELF at 0x0: ELF identification (16 bytes) runs past end of file"),
                r.err());
        assertTrue(r.out().contains(text + ":\n  kind:          not ELF"), r.out());
        assertTrue(r.out().contains("  loader family: glibc"), r.out());
    }

    @Test
    void notElfOnly_exit0(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("script.sh");
        Files.writeString(text, "#!/bin/sh\n");
        Run r = run("inspect", "--json", text.toString());
        assertEquals(0, r.exit());
        assertEquals("not-elf", new ObjectMapper().readTree(r.out()).get(0).get("kind").asText());
    }

    @Test
    void missingFile_exit3() {
        Run r = run("inspect", "/nonexistent/file");
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("/nonexistent/file: no such file"), r.err());
    }

    @Test
    void noFile_isAUsageError() {
        assertEquals(2, run("inspect").exit());
    }

    @Test
    void bytesForJson_validUtf8IsAString_invalidIsHexAndEscaped() {
        assertEquals("\"libé.so\"", InspectCommand.bytes(ByteString.utf8("libé.so")).toString());
        JsonNode invalid = InspectCommand.bytes(ByteString.of(new byte[] {'l', (byte) 0xff, 'b'}));
        assertEquals("6cff62", invalid.get("hex").asText());
        assertEquals("l\\xffb", invalid.get("escaped").asText());
    }
}
