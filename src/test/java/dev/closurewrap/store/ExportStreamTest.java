package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.NarNode;
import dev.closurewrap.nar.WireSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExportStreamTest {
    static final StorePath LIB = StorePath.parseBaseName("0c0hkwh2mxq2qr3bz04zcpcn26prgy4s-lib");
    static final StorePath APP = StorePath.parseBaseName("9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-app");
    static final StorePath DRV = StorePath.parseBaseName("1b2c3d4f5g6h7v8wyx0y1m2n3p4q5r6s-app.drv");

    static byte[] twoPaths() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireSink sink = new WireSink(out);
        ExportWriter w = new ExportWriter(sink, StoreDir.DEFAULT);
        w.add(LIB, Set.of(), Optional.empty(), nar -> nar.regular(ByteString.EMPTY, false, 3,
                new ByteArrayInputStream("lib".getBytes(StandardCharsets.UTF_8))));
        w.add(APP, Set.of(LIB, APP), Optional.of(DRV), nar -> {
            nar.directory(ByteString.EMPTY);
            nar.symlink(ByteString.utf8("lib"), ByteString.utf8("/nix/store/" + LIB.baseName()));
        });
        w.finish();
        return out.toByteArray();
    }

    @Test
    void writeThenRead_twoPaths_keepReferencesDeriverAndHashes() throws Exception {
        byte[] stream = twoPaths();
        List<ExportedPath> paths = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        try (ExportReader r = new ExportReader(new ByteArrayInputStream(stream), "x.export", StoreDir.DEFAULT)) {
            for (ExportedPath p; (p = r.next(nar -> {
                for (NarNode n; (n = nar.next()) != null; ) {
                    nodes.add(n.getClass().getSimpleName() + ":" + n.path());
                }
            })) != null; ) {
                paths.add(p);
            }
        }
        assertEquals(2, paths.size());
        assertEquals(LIB, paths.get(0).path());
        assertEquals(Set.of(), paths.get(0).references());
        assertEquals(Optional.empty(), paths.get(0).deriver());
        assertEquals(APP, paths.get(1).path());
        assertEquals(Set.of(LIB, APP), paths.get(1).references());
        assertEquals(Optional.of(DRV), paths.get(1).deriver());
        assertEquals(List.of("Regular:", "Directory:", "Symlink:lib"), nodes);
        assertEquals(Hash.sha256(dev.closurewrap.nar.NarWriterTestAccess.regularNar("lib")), paths.get(0).narHash());
    }

    @Test
    void read_withoutConsumer_stillChecksEachArchive() throws Exception {
        try (ExportReader r = new ExportReader(new ByteArrayInputStream(twoPaths()), "x.export", StoreDir.DEFAULT)) {
            assertEquals(LIB, r.next(null).path());
            assertEquals(APP, r.next(null).path());
            assertNull(r.next(null));
        }
    }

    @Test
    void read_hostileStreams_areRejectedWithOffsets() throws Exception {
        byte[] good = twoPaths();
        assertBad(Arrays.copyOf(good, good.length - 8), "stream ends before the path marker");
        byte[] garbage = Arrays.copyOf(good, good.length + 8);
        garbage[good.length] = 1;
        assertBad(garbage, "data after the end marker");
        byte[] badMarker = good.clone();
        badMarker[0] = 2;
        assertBad(badMarker, "expected 1 (a path follows) or 0 (end), got 2");
        byte[] badMagic = good.clone();
        int magic = indexOf(good, new byte[] {0x4e, 0x49, 0x58, 0x45});
        badMagic[magic] = 0x4f;
        assertBad(badMagic, "expected export magic");
        byte[] badPath = good.clone();
        int slash = indexOf(good, "/nix/store/0c0".getBytes(StandardCharsets.UTF_8));
        badPath[slash + 1] = 'X';
        assertBad(badPath, "is not in the store /nix/store");
        byte[] hugeCount = good.clone();
        String appPath = "/nix/store/" + APP.baseName(); // 47 bytes, 1 byte of padding, then the count
        int count = indexOf(good, appPath.getBytes(StandardCharsets.UTF_8)) + 48;
        hugeCount[count + 7] = (byte) 0x80;
        assertBad(hugeCount, "reference count");
    }

    private static void assertBad(byte[] stream, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> {
            try (ExportReader r = new ExportReader(new ByteArrayInputStream(stream), "x.export", StoreDir.DEFAULT)) {
                while (r.next(null) != null) {
                    // read all
                }
            }
        });
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.offset() >= 0, e.getMessage());
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    @Test
    void readThenCompare_exportFixtureBytes_matchHandFraming() throws Exception {
        byte[] stream = twoPaths();
        // u64 1, then a NAR beginning with "nix-archive-1"
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0}, Arrays.copyOf(stream, 16));
        assertArrayEquals(new byte[8], Arrays.copyOfRange(stream, stream.length - 8, stream.length));
    }
}
