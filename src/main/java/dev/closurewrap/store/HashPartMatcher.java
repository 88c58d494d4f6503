package dev.closurewrap.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the 32-character hash parts of store paths in a byte stream, the way Nix's reference
 * scanner does: only windows of 32 Nix base-32 characters can match, so the scan jumps past any
 * other byte, and each candidate window is looked up by the 60-bit number of its first 12
 * characters before the full comparison. One matcher is shared by every thread; each stream gets
 * its own {@link Scan}.
 */
public final class HashPartMatcher {
    public static final int HASH_LENGTH = 32;
    private static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";
    private static final int[] DIGIT = new int[256];

    static {
        Arrays.fill(DIGIT, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            DIGIT[ALPHABET.charAt(i)] = i;
        }
    }

    private final Map<Long, byte[][]> byPrefix = new HashMap<>();
    private final int count;

    public HashPartMatcher(Collection<String> hashParts) {
        for (String hash : hashParts) {
            if (!isHashPart(hash)) {
                throw new IllegalArgumentException("not a store path hash part: " + hash);
            }
            byte[] bytes = hash.getBytes(StandardCharsets.US_ASCII);
            byPrefix.merge(prefix(bytes, 0), new byte[][] {bytes}, (a, b) -> {
                byte[][] joined = Arrays.copyOf(a, a.length + 1);
                joined[a.length] = b[0];
                return joined;
            });
        }
        this.count = hashParts.size();
    }

    public static boolean isHashPart(String s) {
        if (s.length() != HASH_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 255 || DIGIT[s.charAt(i)] < 0) {
                return false;
            }
        }
        return true;
    }

    public int size() {
        return count;
    }

    /** A scan of one stream; feed it buffers in order. */
    public Scan scan() {
        return new Scan();
    }

    private static long prefix(byte[] bytes, int at) {
        long key = 0;
        for (int i = 0; i < 12; i++) {
            key = (key << 5) | DIGIT[bytes[at + i] & 0xff];
        }
        return key;
    }

    /** The matching state of one stream: the last 31 bytes carried across buffer boundaries. */
    public final class Scan {
        private final byte[] carry = new byte[HASH_LENGTH - 1];
        private int carried;
        private final Map<String, Boolean> hits = new HashMap<>();

        /** Feeds {@code length} bytes of {@code buffer} from {@code offset}. */
        public void update(byte[] buffer, int offset, int length) {
            if (carried > 0) {
                // Windows that start in the carried tail and end in the new bytes.
                int take = Math.min(HASH_LENGTH - 1, length);
                byte[] seam = new byte[carried + take];
                System.arraycopy(carry, 0, seam, 0, carried);
                System.arraycopy(buffer, offset, seam, carried, take);
                windows(seam, 0, carried, seam.length);
            }
            windows(buffer, offset, offset + length, offset + length);
            int total = carried + length;
            int keep = Math.min(HASH_LENGTH - 1, total);
            byte[] next = new byte[HASH_LENGTH - 1];
            int fromBuffer = Math.min(keep, length);
            int fromCarry = keep - fromBuffer;
            System.arraycopy(carry, carried - fromCarry, next, 0, fromCarry);
            System.arraycopy(buffer, offset + length - fromBuffer, next, fromCarry, fromBuffer);
            System.arraycopy(next, 0, carry, 0, keep);
            carried = keep;
        }

        /** Checks every window of 32 bytes starting in [from, startLimit) and ending by {@code end}. */
        private void windows(byte[] data, int from, int startLimit, int end) {
            int i = from;
            while (i < startLimit && i + HASH_LENGTH <= end) {
                // Check the window from its end: a non-base-32 byte at j rules out every window holding it.
                int j = i + HASH_LENGTH - 1;
                while (j >= i && DIGIT[data[j] & 0xff] >= 0) {
                    j--;
                }
                if (j >= i) {
                    i = j + 1;
                    continue;
                }
                byte[][] candidates = byPrefix.get(prefix(data, i));
                if (candidates != null) {
                    for (byte[] candidate : candidates) {
                        if (Arrays.equals(data, i, i + HASH_LENGTH, candidate, 0, HASH_LENGTH)) {
                            hits.put(new String(candidate, StandardCharsets.US_ASCII), Boolean.TRUE);
                        }
                    }
                }
                i++;
            }
        }

        /** Ends the current stream (a file's contents, a name): no hash spans two of them. */
        public void endOfStream() {
            carried = 0;
        }

        /** Every hash part seen so far. */
        public java.util.Set<String> hits() {
            return hits.keySet();
        }
    }
}
