package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The new content of the dynamic string table. Every existing index stays valid (symbols, version
 * names and other entries keep pointing at their strings), so the table is only ever cleared or
 * extended, never compacted in the middle.
 *
 * <p>A string is placed, in this order of preference: at the index where the same string already
 * is (an unchanged entry, a name reordered); as the tail of a string still in use ({@code bar}
 * inside {@code foobar}); in bytes no user covers any more; appended at the end, when the table
 * may grow. Bytes that only the edited entries covered, and that no remaining user covers, are
 * set to zero, so no stale store path survives in the table.
 */
final class StringTablePlan {
    final byte[] bytes;
    final Map<ByteString, Long> index;
    final boolean grew;

    private StringTablePlan(byte[] bytes, Map<ByteString, Long> index, boolean grew) {
        this.bytes = bytes;
        this.index = index;
        this.grew = grew;
    }

    /**
     * Lays out {@code wanted} in {@code table}. {@code fixed} are the indices other users keep;
     * {@code edited} the indices the edited entries pointed at before the edit. Returns null if
     * {@code mayGrow} is false and the strings do not fit. With {@code complete} false, some users
     * may be unknown: nothing is cleared or reused, new strings are only appended.
     */
    static StringTablePlan place(byte[] table, List<Long> fixed, List<Long> edited, Set<ByteString> wanted,
            boolean complete, boolean mayGrow) {
        // Kept as a few small steps: the JIT compiles each in a fraction of what one big method costs it.
        byte[] bytes = table.clone();
        BitSet covered = new BitSet(bytes.length);
        if (bytes.length > 0) {
            covered.set(0);
        }
        coverAll(bytes, covered, fixed);
        BitSet old = new BitSet(bytes.length);
        Map<ByteString, Long> oldStrings = new HashMap<>();
        for (long r : edited) {
            if (cover(bytes, old, r)) {
                oldStrings.putIfAbsent(stringAt(bytes, (int) r), r);
            }
        }
        Map<ByteString, Long> index = new HashMap<>();
        List<ByteString> pending = reuse(bytes, covered, oldStrings, new LinkedHashSet<>(wanted), index);
        BitSet free = complete ? clearOld(bytes, covered, old) : new BitSet(bytes.length);
        List<ByteString> left = fillHoles(bytes, covered, free, pending, index);
        if (left.isEmpty()) {
            return new StringTablePlan(bytes, index, false);
        }
        if (!mayGrow) {
            return null;
        }
        return new StringTablePlan(append(bytes, covered, complete, left, index), index, true);
    }

    private static void coverAll(byte[] bytes, BitSet covered, List<Long> indices) {
        for (long r : indices) {
            cover(bytes, covered, r);
        }
    }

    /**
     * Places what is already there: exact matches first, so that tails can also be found in strings
     * that stay where they are, then tails of strings in use. Returns the strings still to place.
     */
    private static List<ByteString> reuse(byte[] bytes, BitSet covered, Map<ByteString, Long> oldStrings,
            Set<ByteString> wanted, Map<ByteString, Long> index) {
        for (ByteString s : wanted) {
            Long at = oldStrings.get(s);
            if (at != null) {
                index.put(s, at);
                cover(bytes, covered, at);
            }
        }
        List<ByteString> pending = new ArrayList<>();
        // Built once: tailOf used to scan the whole table for every string (strings x table size).
        TailIndex tails = null;
        for (ByteString s : wanted) {
            if (index.containsKey(s)) {
                continue;
            }
            if (tails == null) {
                tails = new TailIndex(bytes);
            }
            Long at = tailOf(bytes, covered, tails, s);
            if (at != null) {
                index.put(s, at);
                cover(bytes, covered, at);
            } else {
                pending.add(s);
            }
        }
        return pending;
    }

    /** Clears what only the old entries used; returns the free bytes: those and zero bytes nobody uses. */
    private static BitSet clearOld(byte[] bytes, BitSet covered, BitSet old) {
        for (int i = old.nextSetBit(0); i >= 0; i = old.nextSetBit(i + 1)) {
            if (!covered.get(i)) {
                bytes[i] = 0;
            }
        }
        BitSet free = new BitSet(bytes.length);
        // Only the uncovered bytes can be free: walk those, not the whole (often megabytes) table.
        for (int i = covered.nextClearBit(1); i < bytes.length; i = covered.nextClearBit(i + 1)) {
            if (bytes[i] == 0) {
                free.set(i);
            }
        }
        return free;
    }

    /** Puts pending strings in free runs, longest first (fills the holes best); returns what did not fit. */
    private static List<ByteString> fillHoles(byte[] bytes, BitSet covered, BitSet free, List<ByteString> pending,
            Map<ByteString, Long> index) {
        pending.sort((a, b) -> Integer.compare(b.length(), a.length()));
        List<ByteString> left = new ArrayList<>();
        for (ByteString s : pending) {
            int at = findRun(free, s.length() + 1);
            if (at < 0) {
                left.add(s);
                continue;
            }
            System.arraycopy(s.toByteArray(), 0, bytes, at, s.length());
            bytes[at + s.length()] = 0;
            free.clear(at, at + s.length() + 1);
            covered.set(at, at + s.length() + 1);
            index.put(s, (long) at);
        }
        return left;
    }

    /** The table with {@code left} appended, after dropping the tail of zeros nobody uses (bytes of unknown use are kept). */
    private static byte[] append(byte[] bytes, BitSet covered, boolean complete, List<ByteString> left,
            Map<ByteString, Long> index) {
        int end = bytes.length;
        if (complete) {
            end = Math.max(1, covered.length());
            for (int i = bytes.length - 1; i >= end; i--) {
                if (bytes[i] != 0) {
                    end = i + 2; // keep it and its terminator
                    break;
                }
            }
            end = Math.min(end, bytes.length);
        }
        int extra = left.stream().mapToInt(s -> s.length() + 1).sum();
        byte[] grown = new byte[end + extra];
        System.arraycopy(bytes, 0, grown, 0, end);
        int at = end;
        for (ByteString s : left) {
            System.arraycopy(s.toByteArray(), 0, grown, at, s.length());
            index.put(s, (long) at);
            at += s.length() + 1;
        }
        return grown;
    }

    /** Marks the string at {@code r} with its NUL as covered; false if {@code r} is outside the table. */
    private static boolean cover(byte[] bytes, BitSet covered, long r) {
        if (r < 0 || r >= bytes.length) {
            return false;
        }
        int end = (int) r;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        covered.set((int) r, Math.min(end + 1, bytes.length));
        return true;
    }

    private static ByteString stringAt(byte[] bytes, int r) {
        int end = r;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return ByteString.of(bytes, r, end - r);
    }

    /**
     * The index of {@code s} as the tail of a string some user keeps, or null. A covered byte
     * followed by {@code s} and a NUL is such a tail: a string holds no NUL, so the covering string
     * ends exactly there.
     */
    static Long tailOf(byte[] bytes, BitSet covered, TailIndex tails, ByteString s) {
        byte[] needle = s.toByteArray();
        if (!s.contains((byte) 0)) {
            int p = tails.lowestTail(needle, covered);
            if (p != -2) {
                return p < 0 ? null : (long) p;
            }
        }
        return scanTail(bytes, covered, needle);
    }

    /** The plain scan, kept for strings too short for the index and strings holding a NUL. */
    static Long scanTail(byte[] bytes, BitSet covered, byte[] needle) {
        outer:
        for (int p = covered.nextSetBit(1); p >= 0 && p + needle.length < bytes.length; p = covered.nextSetBit(p + 1)) {
            if (bytes[p + needle.length] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (bytes[p + j] != needle[j]) {
                    continue outer;
                }
            }
            return (long) p;
        }
        return null;
    }

    /** The first index of {@code length} consecutive free bytes, or -1. */
    private static int findRun(BitSet free, int length) {
        int start = free.nextSetBit(0);
        while (start >= 0) {
            int end = free.nextClearBit(start);
            if (end - start >= length) {
                return start;
            }
            start = free.nextSetBit(end);
        }
        return -1;
    }
}
