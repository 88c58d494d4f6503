package dev.closurewrap.elf;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Finds where a string can be stored as the tail of a string already in a table. A tail of
 * {@code s} ends at a NUL, so the index holds every NUL that ends a non-empty string, sorted by the
 * string read backwards: the strings that end with {@code s} are then one contiguous range, found
 * by binary search. Built once per table, which the caller must not change while using it.
 */
final class TailIndex {
    private final byte[] bytes;
    /** Positions of the NULs that end a non-empty string, sorted by that string read backwards. */
    private final int[] ends;

    TailIndex(byte[] bytes) {
        this.bytes = bytes;
        int count = 0;
        for (int q = 1; q < bytes.length; q++) {
            if (bytes[q] == 0 && bytes[q - 1] != 0) {
                count++;
            }
        }
        Integer[] found = new Integer[count];
        int n = 0;
        for (int q = 1; q < bytes.length; q++) {
            if (bytes[q] == 0 && bytes[q - 1] != 0) {
                found[n++] = q;
            }
        }
        Arrays.sort(found, (a, b) -> compareBackwards(a, b));
        ends = new int[count];
        for (int i = 0; i < count; i++) {
            ends[i] = found[i];
        }
    }

    /**
     * The lowest index {@code p >= 1} with {@code covered.get(p)}, {@code needle} at {@code p} and a
     * NUL right after it, or -1. {@code needle} must be non-empty and hold no NUL.
     */
    int lowestTail(byte[] needle, BitSet covered) {
        int length = needle.length;
        // First entry whose backwards string is not below the backwards needle.
        int lo = 0;
        int hi = ends.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareToNeedle(ends[mid], needle) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int best = -1;
        for (int i = lo; i < ends.length && compareToNeedle(ends[i], needle) == 0; i++) {
            int p = ends[i] - length;
            if (p >= 1 && covered.get(p) && (best < 0 || p < best)) {
                best = p;
            }
        }
        return best;
    }

    /** Compares the strings ending at NULs {@code a} and {@code b}, read backwards, bytes unsigned. */
    private int compareBackwards(int a, int b) {
        int i = a - 1;
        int j = b - 1;
        while (true) {
            int x = i >= 0 ? bytes[i] & 0xff : 0;
            int y = j >= 0 ? bytes[j] & 0xff : 0;
            // A NUL (or the table start) ends the string and sorts first.
            if (x != y || x == 0) {
                return Integer.compare(x, y);
            }
            i--;
            j--;
        }
    }

    /** Zero when the string ending at {@code end} ends with {@code needle}; else their backwards order. */
    private int compareToNeedle(int end, byte[] needle) {
        for (int k = 1; k <= needle.length; k++) {
            int i = end - k;
            int x = i >= 0 ? bytes[i] & 0xff : 0;
            int y = needle[needle.length - k] & 0xff;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }
}
