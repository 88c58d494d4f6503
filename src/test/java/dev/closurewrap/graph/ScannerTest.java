package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.store.Closure;
import dev.closurewrap.store.HashPartMatcher;
import dev.closurewrap.store.ReferenceScanner;
import dev.closurewrap.store.StoreDirSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScannerTest {
    @TempDir
    Path store;

    private Path path(String hash, String name) throws IOException {
        return Files.createDirectories(store.resolve(hash + "-" + name));
    }

    private static List<String> hashes() {
        return List.of("0".repeat(32), "1".repeat(32), "2".repeat(32), "3".repeat(32), "4".repeat(32), "5".repeat(32));
    }

    /** A store whose references hide in contents, names, symlink targets and across buffer seams. */
    private List<Path> sampleStore() throws IOException {
        List<String> h = hashes();
        Path app = path(h.get(0), "app");
        Path lib = path(h.get(1), "lib");
        Path named = path(h.get(2), "named");
        Path linked = path(h.get(3), "linked");
        Path far = path(h.get(4), "far");
        Path unrelated = path(h.get(5), "unrelated");
        Files.writeString(app.resolve("run"), "#!" + lib + "/bin/sh -e\n");
        Files.createDirectories(app.resolve("share/" + h.get(2) + "-named"));
        Files.createSymbolicLink(app.resolve("link"), linked.resolve("x"));
        // A reference that straddles the 1 MiB read buffer, in a large file.
        byte[] big = new byte[(1 << 20) + 100];
        new Random(7).nextBytes(big);
        byte[] ref = far.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(ref, 0, big, (1 << 20) - 20, ref.length);
        Files.write(lib.resolve("big"), big);
        Files.writeString(unrelated.resolve("y"), app.toString());
        return List.of(app, lib, named, linked, far, unrelated);
    }

    @Test
    void find_sameHitsAsReferenceScanner() throws IOException {
        List<Path> paths = sampleStore();
        HashPartMatcher matcher = new HashPartMatcher(hashes());
        Map<Path, Set<String>> found = new Scanner(2).find(paths, matcher);
        ReferenceScanner reference = new ReferenceScanner(matcher);
        for (Path p : paths) {
            assertEquals(reference.scan(p), found.get(p), p.toString());
        }
        assertEquals(Set.of("1".repeat(32), "2".repeat(32), "3".repeat(32)), found.get(paths.get(0)));
        assertEquals(Set.of("4".repeat(32)), found.get(paths.get(1)));
    }

    @Test
    void scan_afterFind_usesWhatFindRead() throws IOException {
        List<Path> paths = sampleStore();
        Scanner scanner = new Scanner(2);
        scanner.find(paths.subList(0, 2), new HashPartMatcher(hashes()));
        List<ScannedFile> expected = new Scanner(1).scan(paths.subList(0, 2));
        // Changed after find: a scan that read again would see the new contents.
        Files.writeString(paths.get(0).resolve("run"), "changed");
        assertEquals(expected, scanner.scan(paths.subList(0, 2)));
        ScannedFile.Regular run = (ScannedFile.Regular) new Scanner(1).scan(List.of(paths.get(0).resolve("run"))).get(0);
        assertEquals(7, run.size());
    }

    @Test
    void scan_classifiesAndHashesEachFile() throws IOException {
        Path dir = path("6".repeat(32), "kinds");
        byte[] big = new byte[(3 << 20) + 5];
        new Random(1).nextBytes(big);
        Files.write(dir.resolve("big"), big);
        Files.writeString(dir.resolve("script"), "#! /bin/sh  -x \nexit 0\n");
        Files.setPosixFilePermissions(dir.resolve("script"), PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.write(dir.resolve("empty"), new byte[0]);
        Files.createSymbolicLink(dir.resolve("abs"), Path.of("/etc/hostname"));

        List<ScannedFile> files = new Scanner(2).scan(List.of(dir));

        assertEquals(List.of(dir, dir.resolve("abs"), dir.resolve("big"), dir.resolve("empty"), dir.resolve("script")),
                files.stream().map(ScannedFile::path).toList());
        ScannedFile.Regular bigFile = (ScannedFile.Regular) files.get(2);
        assertEquals(big.length, bigFile.size());
        assertEquals(sha256(big), bigFile.sha256());
        assertFalse(bigFile.executable());
        assertEquals(sha256(new byte[0]), ((ScannedFile.Regular) files.get(3)).sha256());
        ScannedFile.Script script = assertInstanceOf(ScannedFile.Script.class, files.get(4));
        assertEquals("/bin/sh", script.interpreter().toString());
        assertEquals("-x", script.argument().toString());
        assertTrue(script.executable());
        assertTrue(((ScannedFile.Symlink) files.get(1)).absolute());
    }

    @Test
    void closure_scannedWithBuilderFinder_sameAsDefaultScan() throws IOException {
        List<Path> paths = sampleStore();
        Closure plain = new StoreDirSource(store, List.of(paths.get(0)), StoreDirSource.References.SCAN).closure();
        GraphBuilder builder = new GraphBuilder(2);
        Closure shared = new StoreDirSource(store, List.of(paths.get(0)), StoreDirSource.References.SCAN,
                builder.referenceFinder()).closure();
        assertEquals(plain.items(), shared.items());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Remembers in memory, and counts what it was asked to remember. */
    private static final class MemoryHashes implements dev.closurewrap.io.KnownHashes {
        final java.util.Map<Path, java.util.Map.Entry<dev.closurewrap.io.FileIdentity, String>> entries =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public java.util.Optional<String> sha256(Path file, dev.closurewrap.io.FileIdentity identity) {
            var e = entries.get(file);
            return e != null && e.getKey().equals(identity) ? java.util.Optional.of(e.getValue()) : java.util.Optional.empty();
        }

        @Override
        public void remember(Path file, dev.closurewrap.io.FileIdentity identity, String sha256) {
            entries.put(file, java.util.Map.entry(identity, sha256));
        }
    }

    @Test
    void knownHash_isTakenWithoutReadingTheFile_untilTheFileChanges_andAFreshFileIsNotRemembered() throws Exception {
        Path dir = path("7".repeat(32), "known");
        Path file = dir.resolve("data");
        Files.writeString(file, "first content");
        MemoryHashes known = new MemoryHashes();
        Scanner scanner = new Scanner(2, known);
        String real = ((ScannedFile.Regular) only(scanner.scan(List.of(dir)), file)).sha256();
        assertTrue(known.entries.isEmpty(), "a file changed less than two seconds ago is not remembered");

        // Vouched for under its current identity: the scan believes the entry, so it did not read the file.
        String vouched = "ab".repeat(32);
        known.remember(file, dev.closurewrap.io.FileIdentity.of(file), vouched);
        assertEquals(vouched, ((ScannedFile.Regular) only(scanner.scan(List.of(dir)), file)).sha256());

        // Changed (same size: only the times tell): read again. The kernel's file clock is coarse
        // (a few ms); a change within the same tick is what the "settled" rule is for.
        Thread.sleep(50);
        Files.writeString(file, "other content");
        String now = ((ScannedFile.Regular) only(scanner.scan(List.of(dir)), file)).sha256();
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("other content".getBytes(StandardCharsets.UTF_8))), now);
        assertNotEquals(real, now);
    }

    @Test
    void settled_meansTheLastChangeIsTwoSecondsOld() {
        var identity = new dev.closurewrap.io.FileIdentity(1, 2, 3, 1_000_000_000L, 10_000_000_000L);
        assertFalse(identity.settledAt(11_999_999_999L));
        assertTrue(identity.settledAt(12_000_000_000L));
        var touched = new dev.closurewrap.io.FileIdentity(1, 2, 3, 20_000_000_000L, 10_000_000_000L);
        assertFalse(touched.settledAt(12_000_000_000L), "a modification time in the future counts too");
    }

    private static ScannedFile only(List<ScannedFile> files, Path path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void settledFile_isRemembered_withItsIdentityBeforeTheRead() throws Exception {
        Path dir = path("8".repeat(32), "settled");
        Path file = dir.resolve("lib.so");
        Files.writeString(file, "settled content");
        Thread.sleep(2_100); // older than FileIdentity.SETTLED_NANOS
        MemoryHashes known = new MemoryHashes();
        String hash = ((ScannedFile.Regular) only(new Scanner(2, known).scan(List.of(dir)), file)).sha256();
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("settled content".getBytes(StandardCharsets.UTF_8))), hash);
        assertEquals(java.util.Optional.of(hash), known.sha256(file, dev.closurewrap.io.FileIdentity.of(file)));
    }
}
