package dev.closurewrap.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    private static final int NAME_MAX = 255;

    @TempDir
    Path dir;

    @Test
    void write_longNonAsciiName_succeeds() throws IOException {
        Path target = dir.resolve("é".repeat(120)); // 240 bytes: a legal name, under 200 characters
        AtomicFiles.write(target, true, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(target), entries.toList());
        }
    }

    @Test
    void tempSibling_ofAnyLegalName_isALegalName_cutAtACharacter() {
        for (String name : List.of("a".repeat(NAME_MAX), "é".repeat(127), "\uD83D\uDE00".repeat(63), "x")) {
            String temp = AtomicFiles.tempSibling(dir.resolve(name)).getFileName().toString();
            assertTrue(temp.getBytes(StandardCharsets.UTF_8).length <= NAME_MAX, temp);
            assertTrue(temp.startsWith("." + name.substring(0, Math.min(name.length(), 2))), temp);
            assertTrue(temp.matches("\\..*\\.tmp-[0-9a-z]+"), temp);
            assertTrue(!temp.contains("\uFFFD") && temp.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF), temp);
        }
    }
}
