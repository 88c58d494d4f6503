package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Test helper for other packages: small archives built with the writer. */
public final class NarWriterTestAccess {
    private NarWriterTestAccess() {}

    /** The archive of a single regular file holding {@code text}. */
    public static byte[] regularNar(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NarWriter w = new NarWriter(new WireSink(out), "t", false);
        w.regular(ByteString.EMPTY, false, b.length, new ByteArrayInputStream(b));
        w.finish();
        return out.toByteArray();
    }
}
