package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfPatchStreamTest {
    @TempDir
    Path dir;

    /** streamTo must give exactly what applyTo gives: same writes, same order, same size. */
    @Test
    void streamTo_randomPatches_equalsTheImageApplyToMakes() throws IOException {
        Random random = new Random(3);
        for (int round = 0; round < 40; round++) {
            byte[] original = new byte[random.nextInt(3 << 20)];
            random.nextBytes(original);
            long newSize = Math.max(0, original.length + random.nextInt(1 << 16) - (round % 5 == 0 ? 1 << 15 : 0));
            List<ElfPatch.Write> writes = new ArrayList<>();
            for (int i = random.nextInt(12); i > 0 && newSize > 0; i--) {
                // Some across the 1 MiB chunk boundaries, some overlapping each other.
                long at = i % 3 == 0 ? Math.max(0, Math.min(newSize - 1, (1L << 20) * (1 + random.nextInt(3)) - random.nextInt(100)))
                        : (long) (random.nextDouble() * newSize);
                byte[] bytes = new byte[(int) Math.min(newSize - at, 1 + random.nextInt(5000))];
                random.nextBytes(bytes);
                writes.add(new ElfPatch.Write(at, bytes));
            }
            ElfPatch patch = new ElfPatch(original.length, newSize, writes);
            Path file = dir.resolve("in-" + round);
            Files.write(file, original);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (FileChannel in = FileChannel.open(file)) {
                patch.streamTo(in, out);
            }
            assertArrayEquals(patch.applyTo(original), out.toByteArray(), "round " + round);
        }
    }

    @Test
    void streamTo_inputShorterThanThePatchSays_failsNamingTheOffset() throws IOException {
        Path file = dir.resolve("short");
        Files.write(file, new byte[100]);
        ElfPatch patch = new ElfPatch(200, 200, List.of());
        try (FileChannel in = FileChannel.open(file)) {
            IOException e = assertThrows(IOException.class, () -> patch.streamTo(in, new ByteArrayOutputStream()));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("0x64"), e.getMessage());
        }
    }
}
