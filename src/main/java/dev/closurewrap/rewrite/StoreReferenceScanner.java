package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds every {@code <storedir>/<32 nix32 chars>-<name>} in a byte stream, in one pass with a
 * fixed-size buffer: what {@code verify} reports as "still names the old store". The name runs to
 * the first byte that Nix does not allow in a store path name ({@code [A-Za-z0-9+._?=-]}), capped
 * at {@link #MAX_NAME_LENGTH} bytes; a name that would be empty is not a store path.
 *
 * <p>Unlike Nix's own scanner, which looks only for the hash parts of known paths, this one needs
 * no candidate list and reports the full string, because that is what a person can act on.
 */
public final class StoreReferenceScanner {
    /** Nix caps a store path's name at 211 bytes (255 less the hash part and the dash). */
    public static final int MAX_NAME_LENGTH = 211;
    static final int HASH_LENGTH = 32;
    private static final int BUFFER_SIZE = 1 << 18;

    private static final boolean[] NIX32 = new boolean[256];
    private static final boolean[] NAME = new boolean[256];

    static {
        for (char c : "0123456789abcdfghijklmnpqrsvwxyz".toCharArray()) {
            NIX32[c] = true;
        }
        for (int c = 0; c < 256; c++) {
            NAME[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "+-._?=".indexOf(c) >= 0;
        }
    }

    private final byte[] prefix;
    /** Horspool's table: how far the prefix may move when the byte under its last position is b. */
    private final int[] shift = new int[256];

    /** @param storeDir the store directory, e.g. {@code /nix/store}, without a trailing slash */
    public StoreReferenceScanner(ByteString storeDir) {
        if (storeDir.length() == 0 || storeDir.byteAt(storeDir.length() - 1) == '/') {
            throw new IllegalArgumentException("store dir must be non-empty, without trailing slash: " + storeDir);
        }
        this.prefix = storeDir.concat(ByteString.utf8("/")).toByteArray();
        Arrays.fill(shift, prefix.length);
        for (int i = 0; i < prefix.length - 1; i++) {
            shift[prefix[i] & 0xff] = prefix.length - 1 - i;
        }
    }

    /** Every reference in {@code bytes}, in order of offset. */
    public List<StoreReference> scan(byte[] bytes) {
        List<StoreReference> found = new ArrayList<>();
        int end = scanChunk(bytes, 0, bytes.length, true, 0, found::add);
        assert end == bytes.length;
        return found;
    }

    /** Every reference in the stream, in order of offset. Reads the stream to its end; does not close it. */
    public List<StoreReference> scan(InputStream in) throws IOException {
        List<StoreReference> found = new ArrayList<>();
        scan(in, found::add);
        return found;
    }

    /** Streams the references to {@code sink} as they are found. Memory use is one fixed buffer. */
    public void scan(InputStream in, Consumer<StoreReference> sink) throws IOException {
        // The longest match must fit in what is kept across refills.
        int longest = prefix.length + HASH_LENGTH + 1 + MAX_NAME_LENGTH;
        byte[] buffer = new byte[Math.max(BUFFER_SIZE, 2 * longest)];
        int start = 0;
        int limit = 0;
        long base = 0; // stream offset of buffer[0]
        boolean eof = false;
        while (!eof) {
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, limit - start);
                base += start;
                limit -= start;
                start = 0;
            }
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
            start = scanChunk(buffer, start, limit, eof, base, sink);
        }
    }

    /**
     * Scans {@code bytes[from, limit)} and returns where scanning must resume: {@code limit} when
     * done, or the first position whose match might continue past {@code limit} (unless at end of input).
     * The prefix is found Boyer-Moore-Horspool style, looking at every 5th byte or so of text that
     * does not match ("/nix/store/" has '/' three times, so a '/' only shifts by 6).
     */
    private int scanChunk(byte[] bytes, int from, int limit, boolean atEnd, long base, Consumer<StoreReference> sink) {
        int m = prefix.length;
        byte last = prefix[m - 1];
        int p = from;
        while (p + m <= limit) {
            byte b = bytes[p + m - 1];
            if (b == last && matchesPrefix(bytes, p)) {
                int afterHash = p + m + HASH_LENGTH;
                if (afterHash + 1 >= limit && !atEnd) {
                    return p; // not enough bytes yet to decide
                }
                if (isHashThenDash(bytes, p + m, limit)) {
                    int nameStart = afterHash + 1;
                    int nameEnd = nameStart;
                    int nameLimit = Math.min(limit, nameStart + MAX_NAME_LENGTH);
                    while (nameEnd < nameLimit && NAME[bytes[nameEnd] & 0xff]) {
                        nameEnd++;
                    }
                    if (nameEnd == limit && !atEnd && nameEnd < nameStart + MAX_NAME_LENGTH) {
                        return p; // the name may go on in the next read
                    }
                    if (nameEnd > nameStart) {
                        sink.accept(new StoreReference(base + p, ByteString.of(bytes, p, nameEnd - p)));
                        p = nameEnd;
                        continue;
                    }
                }
            }
            p += shift[b & 0xff];
        }
        return atEnd ? limit : p;
    }

    private boolean matchesPrefix(byte[] bytes, int p) {
        for (int i = 0; i < prefix.length - 1; i++) {
            if (bytes[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHashThenDash(byte[] bytes, int from, int limit) {
        if (from + HASH_LENGTH >= limit) {
            return false;
        }
        for (int i = from; i < from + HASH_LENGTH; i++) {
            if (!NIX32[bytes[i] & 0xff]) {
                return false;
            }
        }
        return bytes[from + HASH_LENGTH] == '-';
    }
}
