package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashPartMatcherTest {
    private static final String A = "mwzcjvcrcg0z8s6gg073shbxz8vdfhak";
    private static final String B = "hal8d7a00aawp6kmsjkq5ds1603rc2af";
    private static final String C = "ja0cvklic107j734nidwhh2wddf4wd74";
    private final HashPartMatcher matcher = new HashPartMatcher(List.of(A, B, C));

    private Set<String> scanInPieces(String text, int pieceSize) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        HashPartMatcher.Scan scan = matcher.scan();
        for (int at = 0; at < bytes.length; at += pieceSize) {
            scan.update(bytes, at, Math.min(pieceSize, bytes.length - at));
        }
        return scan.hits();
    }

    @Test
    void scan_hashesInText_foundWherever() {
        String text = "RUNPATH /nix/store/" + A + "-curl/lib:/nix/store/" + B + "-libcurl/lib\0" + C;
        assertEquals(Set.of(A, B, C), scanInPieces(text, text.length()));
    }

    @Test
    void scan_hashSplitAcrossEveryPossibleBufferBoundary_stillFound() {
        String text = "xx/" + A + "-curl yy";
        for (int piece = 1; piece <= text.length(); piece++) {
            assertEquals(Set.of(A), scanInPieces(text, piece), "piece size " + piece);
        }
    }

    @Test
    void scan_hashInsideLongerBase32Run_foundAtEveryOffset() {
        // Nix matches any 32-character window, also inside a longer run of base-32 characters.
        assertEquals(Set.of(A), scanInPieces("000" + A + "111", 7));
    }

    @Test
    void scan_oneCharacterDifferent_notFound() {
        String almost = A.substring(0, 31) + (A.charAt(31) == '0' ? '1' : '0');
        assertEquals(Set.of(), scanInPieces("/nix/store/" + almost + "-x", 5));
    }

    @Test
    void scan_endOfStream_noHashAcrossTwoFiles() {
        HashPartMatcher.Scan scan = matcher.scan();
        byte[] first = A.substring(0, 16).getBytes(StandardCharsets.US_ASCII);
        byte[] second = A.substring(16).getBytes(StandardCharsets.US_ASCII);
        scan.update(first, 0, first.length);
        scan.endOfStream();
        scan.update(second, 0, second.length);
        assertEquals(Set.of(), scan.hits());
    }

    @Test
    void constructor_notAHashPart_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new HashPartMatcher(List.of("e".repeat(32))));
        assertThrows(IllegalArgumentException.class, () -> new HashPartMatcher(List.of("abc")));
    }
}
