package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NarSink's walk order, checked through a minimal NAR writer written here from the grammar in
 * facts.md (the real one belongs to the nar package) against the NAR test vector recorded there.
 */
class NarSinkTest {
    @TempDir
    Path temp;

    /** Just enough of the NAR wire format to check the order NarSink drives a writer in. */
    static final class MinimalNarWriter implements NarTreeWriter {
        private final OutputStream out;

        MinimalNarWriter(OutputStream out) throws IOException {
            this.out = out;
            str("nix-archive-1");
            str("(");
        }

        private void str(String s) throws IOException {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        private void bytes(byte[] b) throws IOException {
            num(b.length);
            out.write(b);
            out.write(new byte[(8 - b.length % 8) % 8]);
        }

        private void num(long n) throws IOException {
            for (int i = 0; i < 8; i++) {
                out.write((int) (n >>> (8 * i)));
            }
        }

        @Override
        public void beginDirectory() throws IOException {
            str("type");
            str("directory");
        }

        @Override
        public void beginEntry(ByteString name) throws IOException {
            str("entry");
            str("(");
            str("name");
            bytes(name.toByteArray());
            str("node");
            str("(");
        }

        @Override
        public void endEntry() throws IOException {
            str(")");
            str(")");
        }

        @Override
        public void endDirectory() {
        }

        @Override
        public void regular(boolean executable, long size, InputStream content) throws IOException {
            str("type");
            str("regular");
            if (executable) {
                str("executable");
                str("");
            }
            str("contents");
            bytes(content.readNBytes((int) size));
        }

        @Override
        public void symlink(ByteString target) throws IOException {
            str("type");
            str("symlink");
            str("target");
            bytes(target.toByteArray());
        }

        @Override
        public void finish() throws IOException {
            str(")");
        }
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void factsTestVector_addedInAnyOrder_givesTheRecordedNarHash() throws Exception {
        Path out = temp.resolve("d.nar");
        try (OutputSink sink = new NarSink(out, Compression.NONE, 0, false, MinimalNarWriter::new)) {
            sink.file(EntryPath.parse("sub/empty"), false, text(""));
            sink.file(EntryPath.parse("sub/B"), false, text("x"));
            sink.symlink(EntryPath.parse("link"), ByteString.utf8("a.txt"));
            sink.file(EntryPath.parse("run.sh"), true, text("#!/bin/sh\necho hi\n"));
            sink.file(EntryPath.parse("a.txt"), false, text("hello\n"));
            sink.finish();
        }
        byte[] nar = Files.readAllBytes(out);
        assertEquals(1264, nar.length);
        assertEquals("d111e92870374c6e07618fd79e9c26fee56b8465977d02fe1a190bdcab807c42",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(nar)));
    }

    @Test
    void namesSharingAPrefix_areWrittenInNarOrderNotPathOrder() throws Exception {
        // Path byte order puts "a-b" before "a/c"; NAR order visits all of "a" first, then "a-b".
        StringBuilder events = new StringBuilder();
        NarTreeWriter.Factory recorder = o -> new NarTreeWriter() {
            @Override public void beginDirectory() { events.append("D("); }
            @Override public void beginEntry(ByteString name) { events.append(name).append(':'); }
            @Override public void endEntry() { events.append(' '); }
            @Override public void endDirectory() { events.append(')'); }
            @Override public void regular(boolean x, long size, InputStream c) { events.append('f'); }
            @Override public void symlink(ByteString t) { events.append('l'); }
            @Override public void finish() { }
        };
        try (OutputSink sink = new NarSink(temp.resolve("o.nar"), Compression.NONE, 0, false, recorder)) {
            sink.file(EntryPath.parse("a-b"), false, text(""));
            sink.file(EntryPath.parse("a/c"), false, text(""));
            sink.symlink(EntryPath.parse("a/b"), ByteString.utf8("c"));
            sink.finish();
        }
        assertEquals("D(a:D(b:l c:f ) a-b:f )", events.toString());
    }

    @Test
    void sinks_openTheNarAndBinaryCacheSinks() throws Exception {
        try (OutputSink nar = Sinks.open(Sinks.formOf(temp.resolve("x.nar.zst").toString()), Sinks.Options.defaults())) {
            assertEquals(NarSink.class, nar.getClass());
        }
        try (OutputSink cache = Sinks.open(Sinks.formOf("file://" + temp.resolve("c")), Sinks.Options.defaults())) {
            assertEquals(BinaryCacheSink.class, cache.getClass());
        }
    }

    @Test
    void outputForm_isReadFromTheName() {
        assertEquals(new OutputForm.Tarball(Path.of("a.tar.zst"), Compression.ZSTD), Sinks.formOf("a.tar.zst"));
        assertEquals(new OutputForm.Tarball(Path.of("a.tgz"), Compression.GZIP), Sinks.formOf("a.tgz"));
        assertEquals(new OutputForm.Tarball(Path.of("a.tar"), Compression.NONE), Sinks.formOf("a.tar"));
        assertEquals(new OutputForm.Nar(Path.of("a.nar.xz"), Compression.XZ), Sinks.formOf("a.nar.xz"));
        assertEquals(new OutputForm.Nar(Path.of("a.nar"), Compression.NONE), Sinks.formOf("a.nar"));
        assertEquals(new OutputForm.BinaryCache(Path.of("/srv/cache")), Sinks.formOf("file:///srv/cache"));
        assertEquals(new OutputForm.Directory(Path.of("out.d")), Sinks.formOf("out.d"));
    }

    @Test
    void realWriter_factsTestVector_underAStorePath_becomesTheRoot() throws Exception {
        Path out = temp.resolve("d.nar");
        try (OutputSink sink = Sinks.open(Sinks.formOf(out.toString()), Sinks.Options.defaults())) {
            String p = "store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d/";
            sink.file(EntryPath.parse(p + "sub/empty"), false, text(""));
            sink.file(EntryPath.parse(p + "sub/B"), false, text("x"));
            sink.symlink(EntryPath.parse(p + "link"), ByteString.utf8("a.txt"));
            sink.file(EntryPath.parse(p + "run.sh"), true, text("#!/bin/sh\necho hi\n"));
            sink.file(EntryPath.parse(p + "a.txt"), false, text("hello\n"));
            sink.file(EntryPath.parse("bin/d"), true, text("launcher, not in the NAR"));
            sink.file(EntryPath.parse("closure-wrap.json"), false, text("{}"));
            sink.finish();
        }
        byte[] nar = Files.readAllBytes(out);
        assertEquals("d111e92870374c6e07618fd79e9c26fee56b8465977d02fe1a190bdcab807c42",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(nar)));
    }

    @Test
    void realWriter_singleFileRoot_isARegularNode() throws Exception {
        Path out = temp.resolve("f.nar");
        try (OutputSink sink = Sinks.open(Sinks.formOf(out.toString()), Sinks.Options.defaults())) {
            sink.file(EntryPath.parse("store/0123456789abcdfghijklmnpqrsvwxyz-f"), true, text("x"));
            sink.finish();
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        MinimalNarWriter minimal = new MinimalNarWriter(expected);
        minimal.regular(true, 1, text("x"));
        minimal.finish();
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out));
    }

    @Test
    void severalStorePaths_withoutADeclaredRoot_areRefused() throws Exception {
        Path out = temp.resolve("two.nar");
        try (OutputSink sink = Sinks.open(Sinks.formOf(out.toString()), Sinks.Options.defaults())) {
            sink.file(EntryPath.parse("store/0123456789abcdfghijklmnpqrsvwxyz-a/x"), false, text("x"));
            sink.file(EntryPath.parse("store/0123456789abcdfghijklmnpqrsvwxy0-b/y"), false, text("y"));
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class, sink::finish);
            assertTrue(e.getMessage().contains("a NAR holds one store path, but 2 were written"), e.getMessage());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void severalStorePaths_theManifestsOneRoot_isTheNar() throws Exception {
        Path out = temp.resolve("m.nar");
        try (OutputSink sink = Sinks.open(Sinks.formOf(out.toString()), Sinks.Options.defaults())) {
            sink.file(EntryPath.parse("store/0123456789abcdfghijklmnpqrsvwxyz-a"), false, text("a"));
            sink.file(EntryPath.parse("store/0123456789abcdfghijklmnpqrsvwxy0-b"), false, text("x"));
            sink.file(EntryPath.parse("closure-wrap.json"), false,
                    text("{\"roots\": [\"/nix/store/0123456789abcdfghijklmnpqrsvwxy0-b\"]}"));
            sink.finish();
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        MinimalNarWriter minimal = new MinimalNarWriter(expected);
        minimal.regular(false, 1, text("x"));
        minimal.finish();
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out));
    }
}
