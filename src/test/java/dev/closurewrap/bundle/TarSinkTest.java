package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TarSinkTest {
    @TempDir
    Path temp;

    private Path build(String name, Compression compression, long seed, long mtime, boolean privateModes) throws IOException {
        Path src = temp.resolve("src-" + name);
        SinkTesting.writeShuffled(src, SinkTesting.sampleTree(), seed, mtime, privateModes);
        Path out = temp.resolve(name + ".tar" + compression.suffix());
        try (OutputSink sink = new TarSink(out, compression, compression.defaultLevel(), false)) {
            HostTree.add(src, Optional.empty(), sink);
            sink.finish();
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void sameTree_differentOrderTimesAndModes_givesSameBytes(Compression compression) throws IOException {
        Path first = build("first", compression, 1, 1_600_000_000_000L, false);
        Path second = build("second", compression, 2, 1_000_000_000L, true);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void entries_areSortedRelativeRootOwnedMtimeOneWithoutPaxRecords() throws IOException {
        Path tar = build("one", Compression.NONE, 3, 5_000_000L, false);
        List<TarArchiveEntry> entries = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar), "ISO-8859-1")) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                entries.add(e);
            }
        }
        List<String> names = entries.stream().map(e -> e.getName().replaceAll("/$", "")).toList();
        assertEquals(SinkTesting.sampleTree().keySet().stream()
                .sorted((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)))
                .toList(), names);
        for (TarArchiveEntry e : entries) {
            assertFalse(e.getName().startsWith("/"), e.getName());
            assertFalse(Arrays.asList(e.getName().split("/")).contains(".."), e.getName());
            assertEquals(0, e.getLongUserId());
            assertEquals(0, e.getLongGroupId());
            assertEquals("", e.getUserName());
            assertEquals("", e.getGroupName());
            assertEquals(1000, e.getLastModifiedTime().toMillis());
            assertTrue(e.getExtraPaxHeaders().isEmpty(), e.getName() + " has PAX " + e.getExtraPaxHeaders());
            int expectedMode = e.isDirectory() ? 0755 : e.isSymbolicLink() ? 0777 : e.getName().endsWith("bin/foo") ? 0555 : 0444;
            assertEquals(expectedMode, e.getMode(), e.getName());
        }
        // No PAX extended header block at all (typeflag 'x' at offset 156 of a header).
        byte[] bytes = Files.readAllBytes(tar);
        for (int off = 0; off + 512 <= bytes.length; off += 512) {
            assertFalse(bytes[off + 156] == 'x' && bytes[off + 257] == 'u', "PAX header at " + off);
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void gnuTarExtracts_theSameTree(Compression compression) throws Exception {
        Path tar = build("x", compression, 4, 1_000L, false);
        Path extracted = Files.createDirectories(temp.resolve("extracted"));
        String flag = switch (compression) {
            case NONE -> "-xf";
            case GZIP -> "-xzf";
            case XZ -> "-xJf";
            case ZSTD -> "--zstd";
        };
        List<String> command = new ArrayList<>(List.of("tar", flag));
        if (compression == Compression.ZSTD) {
            command.add("-xf");
        }
        command.add(tar.toString());
        assertEquals(0, SinkTesting.run(extracted, command.toArray(String[]::new)));
        SinkTesting.assertSameTree(SinkTesting.sampleTree(), extracted);
    }

    @Test
    void streamedContent_nonUtf8Names_andImplicitParents_reachTheArchive() throws Exception {
        Path out = temp.resolve("s.tar");
        byte[] weird = {'d', 'i', 'r', '/', 'n', (byte) 0xe9, (byte) 0xff};
        try (OutputSink sink = new TarSink(out, Compression.NONE, 0, true)) {
            sink.file(new EntryPath(ByteString.of(weird)), false, new ByteArrayInputStream("latin".getBytes(StandardCharsets.UTF_8)));
            sink.file(EntryPath.parse("a/b/c/deep"), true, new ByteArrayInputStream(new byte[0]));
            SinkSummary summary = sink.finish();
            assertEquals(2, summary.files());
            assertEquals(4, summary.directories());
        }
        Process list = new ProcessBuilder("tar", "--quoting-style=literal", "-tf", out.toString()).start();
        byte[] listing = list.getInputStream().readAllBytes();
        assertEquals(0, list.waitFor());
        byte[] expected = concat("a/\na/b/\na/b/c/\na/b/c/deep\ndir/\n".getBytes(StandardCharsets.US_ASCII), weird, new byte[] {'\n'});
        assertArrayEquals(expected, listing);
        // The spool directory is gone.
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(out), left.toList());
        }
    }

    @Test
    void fileChangedAfterAdd_failsNamingTheEntryAndLeavesNoOutput() throws IOException {
        Path source = Files.writeString(temp.resolve("src"), "0123456789");
        Path out = temp.resolve("o.tar.zst");
        try (OutputSink sink = new TarSink(out, Compression.ZSTD, 3, false)) {
            sink.file(EntryPath.parse("store/f"), false, source);
            Files.writeString(source, "01234");
            IOException e = assertThrows(IOException.class, sink::finish);
            assertTrue(e.getMessage().contains("store/f") && e.getMessage().contains("expected 10 bytes, got 5"), e.getMessage());
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(source), left.toList());
        }
    }

    /** The sample tree added from several threads in a shuffled order, after announcing {@code order}. */
    private Path buildAnnounced(String name, List<String> order, long seed) throws Exception {
        Path src = temp.resolve("src-" + name);
        SinkTesting.writeShuffled(src, SinkTesting.sampleTree(), seed, 1_000L, false);
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(src)) {
            paths = new ArrayList<>(walk.filter(p -> !p.equals(src)).toList());
        }
        java.util.Collections.shuffle(paths, new java.util.Random(seed));
        Path out = temp.resolve(name + ".tar.zst");
        try (OutputSink sink = new TarSink(out, Compression.ZSTD, 3, false)) {
            List<EntryPath> announced = new ArrayList<>();
            for (String entry : order) {
                announced.add(EntryPath.parse(entry));
            }
            sink.announce(announced);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
            List<java.util.concurrent.Future<?>> added = new ArrayList<>();
            for (Path p : paths) {
                added.add(pool.submit(() -> {
                    EntryPath entry = EntryPath.parse(src.relativize(p).toString());
                    if (Files.isSymbolicLink(p)) {
                        sink.symlink(entry, ByteString.utf8(Files.readSymbolicLink(p).toString()));
                    } else if (Files.isDirectory(p)) {
                        sink.directory(entry);
                    } else {
                        sink.file(entry, Files.isExecutable(p), p);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : added) {
                f.get();
            }
            pool.shutdown();
            sink.finish();
        }
        return out;
    }

    private static List<String> listing(Path tarZst) throws IOException, InterruptedException {
        Process list = new ProcessBuilder("tar", "--zstd", "-tf", tarZst.toString()).start();
        List<String> names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(n -> n.replaceAll("/$", "")).toList();
        assertEquals(0, list.waitFor());
        return names;
    }

    @Test
    void announcedOrder_entriesAddedInAnyOrderFromManyThreads_archiveFollowsTheAnnouncement() throws Exception {
        List<String> sorted = SinkTesting.sampleTree().keySet().stream()
                .sorted((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)))
                .toList();
        // A trailer: the first file moved to the end, as the wrap job does with its manifest.
        String trailer = "bin/foo";
        List<String> order = new ArrayList<>(sorted);
        order.remove(trailer);
        order.add(trailer);
        Path first = buildAnnounced("first", order, 1);
        Path second = buildAnnounced("second", order, 2);
        assertEquals(order, listing(first));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "same order announced, same bytes");
        Path extracted = Files.createDirectories(temp.resolve("extracted"));
        assertEquals(0, SinkTesting.run(extracted, "tar", "--zstd", "-xf", first.toString()));
        SinkTesting.assertSameTree(SinkTesting.sampleTree(), extracted);
    }

    @Test
    void announcedOrder_missingParentsAreWrittenBeforeTheirFirstChild() throws Exception {
        Path out = temp.resolve("p.tar.zst");
        try (OutputSink sink = new TarSink(out, Compression.ZSTD, 3, false)) {
            sink.announce(List.of(EntryPath.parse("z"), EntryPath.parse("a/b/f"), EntryPath.parse("a/g")));
            sink.file(EntryPath.parse("a/g"), false, InputStream.nullInputStream());
            sink.file(EntryPath.parse("a/b/f"), false, InputStream.nullInputStream());
            sink.directory(EntryPath.parse("z"));
            sink.finish();
        }
        assertEquals(List.of("z", "a", "a/b", "a/b/f", "a/g"), listing(out));
    }

    @Test
    void announcedOrder_anEntryNotAnnouncedOrNeverAdded_isRefusedAndLeavesNoOutput() throws Exception {
        Path out = temp.resolve("m.tar");
        try (OutputSink sink = new TarSink(out, Compression.NONE, 0, false)) {
            sink.announce(List.of(EntryPath.parse("a"), EntryPath.parse("b")));
            assertThrows(IllegalStateException.class, () -> sink.file(EntryPath.parse("c"), false, InputStream.nullInputStream()));
            sink.file(EntryPath.parse("b"), false, InputStream.nullInputStream());
            IOException never = assertThrows(IOException.class, sink::finish);
            assertTrue(never.getMessage().contains("a was announced"), never.getMessage());
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void announcedOrder_closeWithoutFinish_stopsTheWriterAndLeavesNothing() throws Exception {
        Path out = temp.resolve("c.tar.zst");
        try (OutputSink sink = new TarSink(out, Compression.ZSTD, 3, false)) {
            sink.announce(List.of(EntryPath.parse("a"), EntryPath.parse("b")));
            sink.file(EntryPath.parse("a"), false, new ByteArrayInputStream(new byte[100_000]));
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void closeWithoutFinish_leavesNothing() throws IOException {
        Path out = temp.resolve("o.tar");
        try (OutputSink sink = new TarSink(out, Compression.NONE, 0, false)) {
            sink.file(EntryPath.parse("f"), false, InputStream.nullInputStream());
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void conflictingEntries_areRefused() throws IOException {
        try (OutputSink sink = new TarSink(temp.resolve("o.tar"), Compression.NONE, 0, false)) {
            sink.symlink(EntryPath.parse("a"), ByteString.utf8("b"));
            IOException twice = assertThrows(IOException.class, () -> sink.symlink(EntryPath.parse("a"), ByteString.utf8("c")));
            assertTrue(twice.getMessage().contains("added twice"), twice.getMessage());
            sink.file(EntryPath.parse("a/below"), false, InputStream.nullInputStream());
            IOException below = assertThrows(IOException.class, sink::finish);
            assertTrue(below.getMessage().contains("its parent a is a symlink"), below.getMessage());
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

}
