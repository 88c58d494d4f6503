package dev.closurewrap.nar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NarWriterTest {
    @TempDir
    Path tmp;

    @Test
    void write_testVectorNodes_givesTheFixtureBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireSink sink = new WireSink(out);
        NarWriter w = new NarWriter(sink, "d.nar", true);
        w.directory(p(""));
        w.regular(p("a.txt"), false, 6, text("hello\n"));
        w.symlink(p("link"), p("a.txt"));
        w.regular(p("run.sh"), true, 18, text("#!/bin/sh\necho hi\n"));
        w.directory(p("sub"));
        w.regular(p("sub/B"), false, 1, text("x"));
        w.regular(p("sub/empty"), false, 0, text(""));
        NarDigest digest = w.finish();
        assertArrayEquals(NarBytes.testVector(), out.toByteArray());
        assertEquals(1264, digest.size());
        assertEquals(NarReaderTest.VECTOR_SHA256, HexFormat.of().formatHex(digest.sha256().toByteArray()));
    }

    @Test
    void dump_testVectorTree_givesTheFixtureBytes() throws Exception {
        Path d = testVectorTree(tmp.resolve("d"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NarDigest digest = NarDumper.dump(d, new NarWriter(new WireSink(out), "d", true));
        assertArrayEquals(NarBytes.testVector(), out.toByteArray());
        assertEquals(1264, digest.size());
    }

    @Test
    void copy_readerNodesIntoWriter_reproducesTheBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NarWriter w = new NarWriter(new WireSink(out), "copy", false);
        try (NarReader r = NarReader.standalone(new ByteArrayInputStream(NarBytes.testVector()), "d.nar")) {
            for (NarNode node; (node = r.next()) != null; ) {
                w.node(node, node instanceof NarNode.Regular ? r.contents() : null);
            }
        }
        w.finish();
        assertArrayEquals(NarBytes.testVector(), out.toByteArray());
    }

    @Test
    void write_unsortedNames_isRejected() throws Exception {
        NarWriter w = new NarWriter(new WireSink(new ByteArrayOutputStream()), "x", false);
        w.directory(p(""));
        w.regular(p("b"), false, 0, text(""));
        BadNarException e = assertThrows(BadNarException.class, () -> w.regular(p("a"), false, 0, text("")));
        assertEquals(BadNarException.Reason.NAME_NOT_INCREASING, e.reason());
    }

    @Test
    void write_nodeOutsideOpenDirectory_isRejected() throws Exception {
        NarWriter w = new NarWriter(new WireSink(new ByteArrayOutputStream()), "x", false);
        w.directory(p(""));
        w.symlink(p("a"), p("t"));
        BadNarException e = assertThrows(BadNarException.class, () -> w.regular(p("a/b"), false, 0, text("")));
        assertEquals(BadNarException.Reason.BAD_TREE, e.reason());
    }

    @Test
    void write_contentsShorterThanDeclared_fails() throws Exception {
        NarWriter w = new NarWriter(new WireSink(new ByteArrayOutputStream()), "x", false);
        assertThrows(java.io.EOFException.class, () -> w.regular(p(""), false, 10, text("short")));
    }

    static Path testVectorTree(Path d) throws IOException {
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("a.txt"), "hello\n");
        Files.writeString(d.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(d.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(d.resolve("link"), Path.of("a.txt"));
        Files.writeString(d.resolve("sub/B"), "x");
        Files.writeString(d.resolve("sub/empty"), "");
        return d;
    }

    static ByteString p(String s) {
        return ByteString.utf8(s);
    }

    static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
