package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandoffOutputStreamTest {
    @Test
    void mixedWriteSizes_reachDownstreamUnchangedAndInOrder() throws IOException {
        byte[] data = new byte[5 * (1 << 20) + 12345];
        new Random(42).nextBytes(data);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Random sizes = new Random(7);
        try (OutputStream out = new HandoffOutputStream(sink, "test")) {
            for (int at = 0; at < data.length; ) {
                if (sizes.nextInt(10) == 0) {
                    out.write(data[at++]);
                } else {
                    int n = Math.min(data.length - at, sizes.nextInt(3 << 20));
                    out.write(data, at, n);
                    at += n;
                }
            }
        }
        assertArrayEquals(data, sink.toByteArray());
    }

    @Test
    void downstreamFailure_isRethrownWithoutHanging() {
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        IOException e = assertThrows(IOException.class, () -> {
            try (OutputStream out = new HandoffOutputStream(failing, "test")) {
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < 64; i++) {
                    out.write(block);
                }
            }
        });
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    }
}
