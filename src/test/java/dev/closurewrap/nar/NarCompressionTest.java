package dev.closurewrap.nar;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Compressed archives cut short: the message says what is wrong, never "null". */
class NarCompressionTest {
    @Test
    void truncatedXz_saysTheDataEndsEarly_notNull() throws IOException {
        byte[] data = new byte[200_000];
        new Random(1).nextBytes(data);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(compressed, new LZMA2Options())) {
            xz.write(data);
        }
        byte[] cut = Arrays.copyOf(compressed.toByteArray(), compressed.size() / 2);
        BadInputException e = assertThrows(BadInputException.class, () -> {
            try (InputStream in = NarCompression.decompressing(new ByteArrayInputStream(cut), "app.nar.xz")) {
                in.readAllBytes();
            }
        });
        assertTrue(e.getMessage().startsWith("app.nar.xz: bad xz at 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
        assertTrue(e.offset() > 0 && e.offset() <= cut.length, "offset " + e.offset());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
    }
}
