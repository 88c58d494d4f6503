package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySinkTest {
    @TempDir
    Path temp;

    private static Object inode(Path p) throws IOException {
        return Files.readAttributes(p, "unix:ino");
    }

    @Test
    void copyMode_writesTheTreeWithFixedModesAndNoTempFiles() throws IOException {
        Path src = temp.resolve("src");
        SinkTesting.writeShuffled(src, SinkTesting.sampleTree(), 7, 5_000L, true);
        Path out = temp.resolve("out");
        try (OutputSink sink = new DirectorySink(out, false, true)) {
            HostTree.add(src, Optional.empty(), sink);
            SinkSummary summary = sink.finish();
            assertEquals(0, summary.hardLinked());
        }
        SinkTesting.assertSameTree(SinkTesting.sampleTree(), out);
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("bin/foo"))));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("store/aaa-foo/lib/a.txt"))));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("store"))));
        assertNotEquals(inode(src.resolve("bin/foo")), inode(out.resolve("bin/foo")));
        try (Stream<Path> all = Files.walk(out)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().contains(".tmp-")).toList());
        }
    }

    @Test
    void linkMode_linksFilesWithTheOutputsMode_copiesOthers() throws IOException {
        Path src = Files.createDirectories(temp.resolve("src"));
        Path plain = Files.writeString(src.resolve("plain"), "data");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("r--r--r--"));
        Path writable = Files.writeString(src.resolve("writable"), "data");
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-r--r--"));
        Path notExec = Files.writeString(src.resolve("wants-exec"), "data");
        Files.setPosixFilePermissions(notExec, PosixFilePermissions.fromString("r--r--r--"));
        Path out = temp.resolve("out");
        try (OutputSink sink = new DirectorySink(out, true, false)) {
            sink.file(EntryPath.parse("plain"), false, plain);
            sink.file(EntryPath.parse("writable"), false, writable);
            sink.file(EntryPath.parse("exec"), true, notExec);
            assertEquals(1, sink.finish().hardLinked());
        }
        assertEquals(inode(plain), inode(out.resolve("plain")));
        // A link would carry 0644 into the output, and a later change to either would show in both.
        assertNotEquals(inode(writable), inode(out.resolve("writable")));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("writable"))));
        assertNotEquals(inode(notExec), inode(out.resolve("exec")));
        assertTrue(Files.isExecutable(out.resolve("exec")));
        assertTrue(!Files.isExecutable(notExec), "the source's mode must not change");
    }

    @Test
    void linkMode_linkingTheSameFileAgainOrAnotherOne_leavesNoTempLink() throws IOException {
        Path staged = Files.writeString(Files.createDirectories(temp.resolve("staged")).resolve("abc"), "rewritten");
        Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path other = Files.writeString(temp.resolve("other"), "older");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path out = temp.resolve("out");
        for (Path source : List.of(staged, staged, other, other)) { // fresh, same again (a resumed run), replaced
            try (OutputSink sink = new DirectorySink(out, true, true)) {
                sink.file(EntryPath.parse("lib/x.so"), true, source);
                sink.symlink(EntryPath.parse("lib/x.so.1"), ByteString.utf8("x.so"));
                sink.finish();
            }
            assertEquals(inode(source), inode(out.resolve("lib/x.so")));
            assertEquals("x.so", Files.readSymbolicLink(out.resolve("lib/x.so.1")).toString());
            try (Stream<Path> all = Files.list(out.resolve("lib"))) {
                assertEquals(List.of("x.so", "x.so.1"), all.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void linkMode_acrossFileSystems_fallsBackToCopy() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(temp)),
                "needs /dev/shm on another file system");
        Path source = Files.createTempFile(shm, "closure-wrap-test", "");
        try {
            Files.writeString(source, "across");
            Path out = temp.resolve("out");
            try (OutputSink sink = new DirectorySink(out, true, true)) {
                sink.file(EntryPath.parse("f"), false, source);
                assertEquals(0, sink.finish().hardLinked());
            }
            assertEquals("across", Files.readString(out.resolve("f")));
        } finally {
            Files.delete(source);
        }
    }

    @Test
    void rewritingAnExistingOutput_replacesEachEntryWhole() throws IOException {
        Path out = temp.resolve("out");
        try (OutputSink sink = new DirectorySink(out, false, false)) {
            sink.file(EntryPath.parse("d/f"), false, new ByteArrayInputStream("old".getBytes(StandardCharsets.UTF_8)));
            sink.symlink(EntryPath.parse("d/l"), ByteString.utf8("old"));
            sink.finish();
        }
        try (OutputSink sink = new DirectorySink(out, false, false)) {
            sink.file(EntryPath.parse("d/f"), true, new ByteArrayInputStream("new".getBytes(StandardCharsets.UTF_8)));
            sink.symlink(EntryPath.parse("d/l"), ByteString.utf8("../new"));
            sink.finish();
        }
        assertEquals("new", Files.readString(out.resolve("d/f")));
        assertTrue(Files.isExecutable(out.resolve("d/f")));
        assertEquals(Path.of("../new"), Files.readSymbolicLink(out.resolve("d/l")));
    }

    @Test
    void writeInPlace_appearsWholeWithTheOutputMode_andAFailedWriterLeavesNothing() throws IOException {
        Path out = temp.resolve("out");
        EntryPath ok = EntryPath.of(ByteString.utf8("store/aaa-foo/bin/prog"));
        EntryPath broken = EntryPath.of(ByteString.utf8("store/aaa-foo/bin/broken"));
        try (DirectorySink sink = new DirectorySink(out, false, true)) {
            Path written = sink.write(ok, true, file -> Files.writeString(file, "rewritten"));
            assertEquals(out.resolve("store/aaa-foo/bin/prog"), written);
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> sink.write(broken, false, file -> {
                Files.writeString(file, "half");
                throw new IOException("disk full");
            }));
            assertEquals("disk full", e.getMessage());
            assertEquals(1, sink.finish().files());
        }
        assertEquals("rewritten", Files.readString(out.resolve("store/aaa-foo/bin/prog")));
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("store/aaa-foo/bin/prog"))));
        try (Stream<Path> all = Files.list(out.resolve("store/aaa-foo/bin"))) {
            assertEquals(List.of("prog"), all.map(p -> p.getFileName().toString()).toList());
        }
    }
}
