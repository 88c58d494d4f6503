package dev.closurewrap.nar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class NarReaderTest {
    static final String VECTOR_SHA256 = "d111e92870374c6e07618fd79e9c26fee56b8465977d02fe1a190bdcab807c42";

    @Test
    void testVector_handBuiltBytes_matchFactsHash() throws Exception {
        byte[] nar = NarBytes.testVector();
        assertEquals(1264, nar.length);
        assertEquals(VECTOR_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(nar)));
    }

    @Test
    void read_testVector_yieldsNodesInOrderWithContentsAndDigest() throws Exception {
        List<String> seen = new ArrayList<>();
        NarDigest digest;
        try (NarReader reader = NarReader.standalone(new ByteArrayInputStream(NarBytes.testVector()), "d.nar")) {
            for (NarNode node; (node = reader.next()) != null; ) {
                seen.add(describe(node, reader));
            }
            digest = reader.digest();
        }
        assertEquals(List.of(
                "dir ",
                "file a.txt 6 hello\n @232",
                "link link -> a.txt",
                "exec run.sh 18 #!/bin/sh\necho hi\n @648",
                "dir sub",
                "file sub/B 1 x @992",
                "file sub/empty 0  @1184"), seen);
        assertEquals(1264, digest.size());
        assertEquals(VECTOR_SHA256, HexFormat.of().formatHex(digest.sha256().toByteArray()));
    }

    @Test
    void read_contentsNotRead_areSkippedAndStillHashed() throws Exception {
        try (NarReader reader = NarReader.standalone(new ByteArrayInputStream(NarBytes.testVector()), "d.nar")) {
            NarDigest digest = reader.drain();
            assertEquals(VECTOR_SHA256, HexFormat.of().formatHex(digest.sha256().toByteArray()));
            assertNull(reader.next());
        }
    }

    @Test
    void read_singleRegularRoot_isTheOnlyNode() throws Exception {
        byte[] nar = new NarBytes().strs("nix-archive-1", "(", "type").file("abc", true).bytes();
        try (NarReader reader = NarReader.standalone(new ByteArrayInputStream(nar), "f.nar")) {
            assertEquals(new NarNode.Regular(ByteString.EMPTY, true, 3), reader.next());
            assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), reader.contents().readAllBytes());
            assertNull(reader.next());
            assertEquals(nar.length, reader.digest().size());
        }
    }

    @Test
    void read_tinyBufferOverLargeFile_streamsAllBytes() throws Exception {
        byte[] data = new byte[100_003];
        new java.util.Random(7).nextBytes(data);
        byte[] nar = new NarBytes().strs("nix-archive-1", "(", "type", "regular", "contents").str(data).str(")").bytes();
        try (NarReader reader = new NarReader(new WireSource(new TrickleInputStream(nar, 13), "big.nar", 8192), true)) {
            reader.next();
            assertArrayEquals(data, reader.contents().readAllBytes());
            assertNull(reader.next());
        }
    }

    static String describe(NarNode node, NarReader reader) throws IOException {
        if (node instanceof NarNode.Regular f) {
            String contents = new String(reader.contents().readAllBytes(), StandardCharsets.UTF_8);
            return (f.executable() ? "exec " : "file ") + f.path() + " " + f.size() + " " + contents + " @" + reader.contentsOffset();
        }
        if (node instanceof NarNode.Symlink l) {
            return "link " + l.path() + " -> " + l.target();
        }
        return "dir " + node.path();
    }

    /** Returns at most {@code chunk} bytes per read, like a pipe: the reader must not assume full reads. */
    static final class TrickleInputStream extends ByteArrayInputStream {
        private final int chunk;

        TrickleInputStream(byte[] b, int chunk) {
            super(b);
            this.chunk = chunk;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, chunk));
        }
    }
}
