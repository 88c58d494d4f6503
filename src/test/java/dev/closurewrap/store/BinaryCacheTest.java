package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarDumper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class BinaryCacheTest {
    @TempDir
    Path tmp;

    private static final StorePath LIB = ExportStreamTest.LIB;
    private static final StorePath APP = ExportStreamTest.APP;

    @ParameterizedTest
    @EnumSource(NarCompression.class)
    void writeThenRead_closureOfTwoPaths_isCompleteAndVerified(NarCompression compression) throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("f"), "uses /nix/store/" + LIB.baseName());
        BinaryCacheWriter w = new BinaryCacheWriter(tmp.resolve("cache"), StoreDir.DEFAULT, compression, null, false);
        NarInfo lib = w.add(LIB, Set.of(), Optional.empty(), Optional.empty(), nar -> nar.regular(ByteString.EMPTY, false, 3,
                new ByteArrayInputStream("lib".getBytes(StandardCharsets.UTF_8))));
        NarInfo app = w.add(APP, Set.of(LIB), Optional.empty(), Optional.empty(), nar -> NarDumper.dump(tree, nar));
        assertTrue(Files.exists(tmp.resolve("cache").resolve(app.url())));
        assertTrue(app.url().endsWith(".nar" + compression.extension()));

        BinaryCache cache = BinaryCache.open(tmp.resolve("cache"));
        assertEquals(List.of(lib, app), cache.closure(List.of(APP)));
        assertEquals(List.of(LIB, APP).stream().sorted().toList(), cache.paths());
        assertEquals(app.narSize(), cache.readNar(app, null).size());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void add_durableOrNot_leavesCompleteFilesAndNoTempFile(boolean durable) throws Exception {
        Path dir = tmp.resolve("cache");
        BinaryCacheWriter w = new BinaryCacheWriter(dir, StoreDir.DEFAULT, NarCompression.XZ, null, durable);
        NarInfo lib = w.add(LIB, Set.of(), Optional.empty(), Optional.empty(), nar -> nar.regular(ByteString.EMPTY, false, 3,
                new ByteArrayInputStream("lib".getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of(LIB.hashPart() + ".narinfo", lib.url(), "nix-cache-info").stream().sorted().toList(),
                cacheFiles(dir));
        assertEquals(lib, BinaryCache.open(dir).narInfo(LIB.hashPart()).orElseThrow());
        assertEquals(lib.narSize(), BinaryCache.open(dir).readNar(lib, null).size());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void add_archiveFailsMidWrite_leavesNoTempFileNoNarAndNoNarinfo(boolean durable) throws Exception {
        Path dir = tmp.resolve("cache");
        BinaryCacheWriter w = new BinaryCacheWriter(dir, StoreDir.DEFAULT, NarCompression.XZ, null, durable);
        IOException e = assertThrows(IOException.class, () -> w.add(LIB, Set.of(), Optional.empty(), Optional.empty(),
                nar -> nar.regular(ByteString.EMPTY, false, 3, new ByteArrayInputStream("l".getBytes(StandardCharsets.UTF_8)))));
        assertTrue(e.getMessage() != null, "the NAR writer names what went wrong");
        assertEquals(List.of("nix-cache-info"), cacheFiles(dir));
    }

    /** Every file below {@code dir}, relative, sorted: temp files included. */
    private static List<String> cacheFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void readNar_tamperedFile_isRejected() throws Exception {
        BinaryCacheWriter w = new BinaryCacheWriter(tmp.resolve("cache"), StoreDir.DEFAULT, NarCompression.NONE, null, false);
        NarInfo lib = w.add(LIB, Set.of(), Optional.empty(), Optional.empty(), nar -> nar.regular(ByteString.EMPTY, false, 3,
                new ByteArrayInputStream("lib".getBytes(StandardCharsets.UTF_8))));
        Path file = tmp.resolve("cache").resolve(lib.url());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 24] = 'X'; // "lib" becomes "Xib": 16 bytes of ")" follow its 8 padded bytes
        Files.write(file, bytes);
        BinaryCache cache = BinaryCache.open(tmp.resolve("cache"));
        BadInputException e = assertThrows(BadInputException.class, () -> cache.readNar(lib, null));
        assertTrue(e.getMessage().contains("FileHash"), e.getMessage());
    }

    @Test
    void closure_missingReference_isBadInput() throws Exception {
        BinaryCacheWriter w = new BinaryCacheWriter(tmp.resolve("cache"), StoreDir.DEFAULT, NarCompression.NONE, null, false);
        w.add(APP, Set.of(LIB), Optional.empty(), Optional.empty(), nar -> nar.symlink(ByteString.EMPTY, ByteString.utf8("x")));
        BinaryCache cache = BinaryCache.open(tmp.resolve("cache"));
        BadInputException e = assertThrows(BadInputException.class, () -> cache.closure(List.of(APP)));
        assertTrue(e.getMessage().contains("has no narinfo for /nix/store/" + LIB.baseName()), e.getMessage());
    }

    @Test
    void copy_unchangedContent_keepsSignaturesAndAddsOurs() throws Exception {
        SigningKey first = SigningKey.parse(NarInfoTest.newNixSecretKey("first"));
        SigningKey second = SigningKey.parse(NarInfoTest.newNixSecretKey("second"));
        BinaryCacheWriter a = new BinaryCacheWriter(tmp.resolve("a"), StoreDir.DEFAULT, NarCompression.XZ, first, false);
        NarInfo original = a.add(LIB, Set.of(), Optional.empty(), Optional.empty(), nar -> nar.regular(ByteString.EMPTY, false, 3,
                new ByteArrayInputStream("lib".getBytes(StandardCharsets.UTF_8))));
        BinaryCacheWriter b = new BinaryCacheWriter(tmp.resolve("b"), StoreDir.DEFAULT, NarCompression.ZSTD, second, false);
        NarInfo copied = b.copy(BinaryCache.open(tmp.resolve("a")), original);
        assertEquals(2, copied.sigs().size());
        String fp = copied.fingerprint(StoreDir.DEFAULT);
        assertTrue(first.publicKey().verify(fp, copied.sigs().get(0)));
        assertTrue(second.publicKey().verify(fp, copied.sigs().get(1)));
        assertEquals("zstd", copied.compression());

        // Changed content: the old signature no longer signs it and is dropped.
        NarInfo changed = b.publish(LIB, Set.of(), Optional.empty(), Optional.empty(),
                b.writeNar(nar -> nar.regular(ByteString.EMPTY, false, 4, new ByteArrayInputStream("lib2".getBytes(StandardCharsets.UTF_8)))),
                original);
        assertEquals(1, changed.sigs().size());
        assertTrue(second.publicKey().verify(changed.fingerprint(StoreDir.DEFAULT), changed.sigs().get(0)));
    }
}
