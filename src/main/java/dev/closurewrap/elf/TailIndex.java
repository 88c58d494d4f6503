package dev.closurewrap.elf;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds where a string can be stored as the tail of a string already in a table. A tail of
 * {@code s} ends at a NUL, so the index holds, for every NUL preceded by at least {@link #KEY}
 * non-NUL bytes, those last bytes as the key: a lookup then only compares the few strings that end
 * like the needle. One pass over the table builds it; the caller must not change the table while
 * using it. Needles shorter than the key are not indexed ({@link #lowestTail} returns -2).
 */
final class TailIndex {
    static final int KEY = 4;
    private final byte[] bytes;
    /** Last {@link #KEY} bytes before a NUL (big-endian int) to the NUL positions, ascending. */
    private final Map<Integer, int[]> ends = new HashMap<>();

    TailIndex(byte[] bytes) {
        this.bytes = bytes;
        for (int q = KEY; q < bytes.length; q++) {
            if (bytes[q] == 0 && bytes[q - 1] != 0 && bytes[q - 2] != 0 && bytes[q - 3] != 0 && bytes[q - 4] != 0) {
                int[] list = ends.get(key(bytes, q));
                if (list == null) {
                    ends.put(key(bytes, q), new int[] {1, q});
                } else {
                    if (list[0] + 1 == list.length) {
                        list = Arrays.copyOf(list, list.length * 2);
                        ends.put(key(bytes, q), list);
                    }
                    list[++list[0]] = q; // list[0] is the count
                }
            }
        }
    }

    private static int key(byte[] b, int end) {
        return (b[end - 4] & 0xff) << 24 | (b[end - 3] & 0xff) << 16 | (b[end - 2] & 0xff) << 8 | (b[end - 1] & 0xff);
    }

    /**
     * The lowest index {@code p >= 1} with {@code covered.get(p)}, {@code needle} at {@code p} and a
     * NUL right after it; -1 if none; -2 if {@code needle} is shorter than {@link #KEY}, which the
     * index cannot answer. {@code needle} must hold no NUL.
     */
    int lowestTail(byte[] needle, BitSet covered) {
        int length = needle.length;
        if (length < KEY) {
            return -2;
        }
        int[] list = ends.get(key(needle, length));
        if (list == null) {
            return -1;
        }
        // Ascending ends give ascending starts: the first match is the lowest.
        outer:
        for (int i = 1; i <= list[0]; i++) {
            int p = list[i] - length;
            if (p < 1 || !covered.get(p)) {
                continue;
            }
            for (int j = 0; j < length - KEY; j++) {
                if (bytes[p + j] != needle[j]) {
                    continue outer;
                }
            }
            return p;
        }
        return -1;
    }
}
