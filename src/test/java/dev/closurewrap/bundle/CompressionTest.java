package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionTest {
    /** Compressible but not trivial: words drawn at random, so zstd splits it into several jobs. */
    private static byte[] sample(int size) {
        String[] words = {"libc.so.6 ", "/nix/store/", "GLIBC_2.34 ", "\0\0\0\0", "$ORIGIN/../lib ", "x86_64 "};
        Random random = new Random(42);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        while (out.size() < size) {
            if (random.nextInt(8) == 0) {
                out.write(random.nextInt(256));
            } else {
                out.writeBytes(words[random.nextInt(words.length)].getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    private static byte[] zstd(byte[] input, int workers) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream z = Compression.zstd(compressed, 3, workers)) {
            // Odd-sized writes, as the tar writer makes them.
            for (int off = 0; off < input.length; off += 100_003) {
                z.write(input, off, Math.min(100_003, input.length - off));
            }
        }
        return compressed.toByteArray();
    }

    @Test
    void zstd_sameBytesForOneOrManyWorkers_andDecompressesToTheInput() throws IOException {
        byte[] input = sample(24 << 20);
        byte[] one = zstd(input, 1);
        assertArrayEquals(one, zstd(input, 2));
        assertArrayEquals(one, zstd(input, 5));
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(one))) {
            assertArrayEquals(input, in.readAllBytes());
        }
    }

    @Test
    void zstd_noWorkersAskedFor_stillUsesTheWorkerMode() throws IOException {
        byte[] input = sample(1 << 20);
        assertEquals(new String(zstd(input, 1), StandardCharsets.ISO_8859_1),
                new String(zstd(input, 0), StandardCharsets.ISO_8859_1));
    }
}
