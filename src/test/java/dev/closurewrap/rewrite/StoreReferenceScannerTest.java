package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StoreReferenceScannerTest {
    private static final String HASH = "j2xpvm9q1igwhhkmf7axjflcc3qhzczk";
    private static final StoreReferenceScanner NIX = new StoreReferenceScanner(ByteString.utf8("/nix/store"));

    private static List<StoreReference> scan(String text) {
        return NIX.scan(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static StoreReference ref(long offset, String path) {
        return new StoreReference(offset, ByteString.utf8(path));
    }

    @Test
    void scan_pathInText_reportsOffsetAndFullPath() {
        assertEquals(List.of(ref(4, "/nix/store/" + HASH + "-app")), scan("lib=/nix/store/" + HASH + "-app/lib/x"));
    }

    @Test
    void scan_nameEndsAtFirstByteNotAllowedInNames() {
        assertEquals(List.of(ref(0, "/nix/store/" + HASH + "-foo-1.2_x+y?=z")),
                scan("/nix/store/" + HASH + "-foo-1.2_x+y?=z\"rest"));
        assertEquals(List.of(ref(1, "/nix/store/" + HASH + "-a")), scan("'/nix/store/" + HASH + "-a'"));
        assertEquals(List.of(ref(0, "/nix/store/" + HASH + "-a")), scan("/nix/store/" + HASH + "-a\0b"));
    }

    @Test
    void scan_nonNix32HashCharacter_isNotAReference() {
        // 'e', 'o', 'u', 't' are not in the Nix base-32 alphabet.
        assertEquals(List.of(), scan("/nix/store/" + HASH.substring(0, 31) + "e-app"));
        assertEquals(List.of(), scan("/nix/store/" + HASH.substring(0, 31) + "-app"));
    }

    @Test
    void scan_hashWithoutDashOrName_isNotAReference() {
        assertEquals(List.of(), scan("/nix/store/" + HASH + "/bin"));
        assertEquals(List.of(), scan("/nix/store/" + HASH + "-"));
        assertEquals(List.of(), scan("/nix/store/" + HASH + "-/x"));
        assertEquals(List.of(), scan("/nix/store/" + HASH));
    }

    @Test
    void scan_otherStoreDir_findsOnlyItsOwn() {
        StoreReferenceScanner opt = new StoreReferenceScanner(ByteString.utf8("/opt/store"));
        byte[] text = ("/nix/store/" + HASH + "-a /opt/store/" + HASH + "-b").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(ref(46, "/opt/store/" + HASH + "-b")), opt.scan(text));
    }

    @Test
    void scan_adjacentAndOverlappingCandidates_reportsEach() {
        String a = "/nix/store/" + HASH + "-a";
        assertEquals(List.of(ref(0, a), ref(a.length() + 1, a)), scan(a + ":" + a));
        // A prefix that starts inside a failed candidate is still found.
        assertEquals(List.of(ref(5, a)), scan("/nix/" + a));
    }

    @Test
    void scan_longName_isCappedAtNixLimit() {
        String name = "n".repeat(300);
        List<StoreReference> found = scan("/nix/store/" + HASH + "-" + name);
        assertEquals(1, found.size());
        assertEquals(11 + 32 + 1 + StoreReferenceScanner.MAX_NAME_LENGTH, found.get(0).path().length());
    }

    @Test
    void scanStream_referenceAcrossEveryReadBoundary_foundOnce() throws IOException {
        String path = "/nix/store/" + HASH + "-libgreet";
        for (int split = 1; split < 120; split += 7) {
            StringBuilder text = new StringBuilder();
            Random random = new Random(split);
            while (text.length() < 200_000) {
                text.append((char) ('a' + random.nextInt(26)));
                if (random.nextInt(5000) == 0) {
                    text.append(path).append('/');
                }
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
            List<StoreReference> expected = NIX.scan(bytes);
            final int chunk = split;
            InputStream trickle = new FilterInputStream(new ByteArrayInputStream(bytes)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, chunk));
                }
            };
            assertEquals(expected, NIX.scan(trickle), "read size " + split);
            assertEquals(text.toString().split(path, -1).length - 1, expected.size());
        }
    }

    /** The definition, position by position: what the word-at-a-time search must agree with. */
    private static List<StoreReference> naiveScan(byte[] bytes) {
        byte[] prefix = "/nix/store/".getBytes(StandardCharsets.ISO_8859_1);
        String nix32 = "0123456789abcdfghijklmnpqrsvwxyz";
        List<StoreReference> found = new ArrayList<>();
        int p = 0;
        outer:
        while (p < bytes.length) {
            int hash = p + prefix.length;
            if (hash + 33 > bytes.length) {
                break;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (bytes[p + i] != prefix[i]) {
                    p++;
                    continue outer;
                }
            }
            for (int i = hash; i < hash + 32; i++) {
                if (nix32.indexOf(bytes[i] & 0xff) < 0) {
                    p++;
                    continue outer;
                }
            }
            int end = hash + 33;
            while (end < bytes.length && end < hash + 33 + StoreReferenceScanner.MAX_NAME_LENGTH
                    && (Character.isLetterOrDigit(bytes[end] & 0xff) && (bytes[end] & 0xff) < 128 || "+-._?=".indexOf(bytes[end]) >= 0)) {
                end++;
            }
            if (bytes[hash + 32] != '-' || end == hash + 33) {
                p++;
                continue;
            }
            found.add(new StoreReference(p, ByteString.of(bytes, p, end - p)));
            p = end;
        }
        return found;
    }

    @Test
    void feed_binaryDataInAnyWriteSizes_findsWhatTheDefinitionFinds() {
        String[] paths = {"/nix/store/" + HASH + "-libgreet", "/nix/store/" + HASH + "-x", "/nix/store/" + HASH + "-"};
        Random random = new Random(42);
        byte[] bytes = new byte[3_000_000];
        random.nextBytes(bytes);
        for (int i = 0; i < bytes.length; i++) {
            if (random.nextInt(40) == 0) {
                bytes[i] = '/'; // many near misses: the candidate byte far more often than in real files
            }
        }
        for (int k = 0; k < 400; k++) {
            byte[] path = paths[k % paths.length].getBytes(StandardCharsets.ISO_8859_1);
            // Around the feed's 256 KiB buffer boundaries too, where a match must be carried over.
            int at = k % 4 == 0 ? (k / 4 % 11 + 1) * (1 << 18) - random.nextInt(60) : random.nextInt(bytes.length - path.length);
            System.arraycopy(path, 0, bytes, Math.min(at, bytes.length - path.length), path.length);
        }
        List<StoreReference> expected = naiveScan(bytes);
        assertEquals(true, expected.size() > 200, "the data holds the planted references: " + expected.size());
        assertEquals(expected, NIX.scan(bytes));
        for (int write : new int[] {1, 7, 4096, 1 << 18, (1 << 20) + 3}) {
            List<StoreReference> fed = new ArrayList<>();
            try (StoreReferenceScanner.Feed feed = NIX.feed(fed::add)) {
                for (int at = 0; at < bytes.length; at += write) {
                    feed.write(bytes, at, Math.min(write, bytes.length - at));
                }
            }
            assertEquals(expected, fed, "write size " + write);
        }
    }

    @Test
    void scan_nearMissesAtEveryAlignment_findsWhatTheDefinitionFinds() {
        // Fragments that pass one, two or all three of the word-at-a-time tests, then fail the rest.
        String[] pieces = {"/", "/n", "/nix", "/nix/", "/nix/store", "/nix/store/", "/nix/stor/", "/n/////////",
                "/nix/store/" + HASH.substring(0, 20), "/nix/store/" + HASH + "-", "/nix/store/" + HASH + "-ok",
                "java/nio/", "a", "\0", "n", "x/"};
        Random random = new Random(11);
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(12); k >= 0; k--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(naiveScan(bytes), NIX.scan(bytes), text.toString());
        }
    }

    @Test
    void scanStream_nameRunningIntoEndOfInput_isReported() throws IOException {
        byte[] bytes = ("xx/nix/store/" + HASH + "-end").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(ref(2, "/nix/store/" + HASH + "-end")), NIX.scan(new ByteArrayInputStream(bytes)));
    }

    @Test
    void scanStream_sinkSeesReferencesInOrder() throws IOException {
        List<Long> offsets = new ArrayList<>();
        String a = "/nix/store/" + HASH + "-a";
        NIX.scan(new ByteArrayInputStream((a + " " + a + " " + a).getBytes(StandardCharsets.UTF_8)),
                reference -> offsets.add(reference.offset()));
        assertEquals(List.of(0L, (long) a.length() + 1, 2L * (a.length() + 1)), offsets);
    }

    @Test
    void baseName_isHashAndName() {
        assertEquals(ByteString.utf8(HASH + "-app"), ref(0, "/nix/store/" + HASH + "-app").baseName());
    }

    @Test
    void constructor_storeDirWithTrailingSlash_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new StoreReferenceScanner(ByteString.utf8("/nix/store/")));
    }
}
