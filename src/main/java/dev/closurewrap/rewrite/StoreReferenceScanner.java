package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] prefix;
    /** The prefix's first, second and last byte, in every byte of a long (see {@link #nextCandidate}). */
    private final long firstBytes;
    private final long secondBytes;
    private final long lastBytes;

    /** @param storeDir the store directory, e.g. {@code /nix/store}, without a trailing slash */
    public StoreReferenceScanner(ByteString storeDir) {
        if (storeDir.length() == 0 || storeDir.byteAt(storeDir.length() - 1) == '/') {
            throw new IllegalArgumentException("store dir must be non-empty, without trailing slash: " + storeDir);
        }
        this.prefix = storeDir.concat(ByteString.utf8("/")).toByteArray();
        this.firstBytes = repeated(prefix[0]);
        this.secondBytes = repeated(prefix[1]);
        this.lastBytes = repeated(prefix[prefix.length - 1]);
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
        try (Feed feed = feed(sink)) {
            byte[] chunk = new byte[1 << 16];
            for (int n; (n = in.read(chunk)) >= 0; ) {
                feed.write(chunk, 0, n);
            }
        }
    }

    /**
     * A scan the bytes are pushed into, for a writer that has them in hand anyway: what it writes
     * is scanned as it goes, and {@link Feed#close} reports the references at the very end.
     */
    public Feed feed(Consumer<StoreReference> sink) {
        return new Feed(sink);
    }

    /** Bytes written are scanned for references, which go to the sink in order of offset. */
    public final class Feed extends OutputStream {
        private final Consumer<StoreReference> sink;
        /** Holds what is not scanned yet: a match that may run past the bytes seen so far. */
        private final byte[] buffer = new byte[Math.max(BUFFER_SIZE, 2 * (prefix.length + HASH_LENGTH + 1 + MAX_NAME_LENGTH))];
        private int start;
        private int limit;
        /** Stream offset of buffer[0]. */
        private long base;
        private boolean closed;

        private Feed(Consumer<StoreReference> sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (closed) {
                throw new IllegalStateException("the scan has ended");
            }
            while (length > 0) {
                if (limit == buffer.length) {
                    start = scanChunk(buffer, start, limit, false, base, sink);
                    // What is kept is shorter than the longest match, at most half the buffer.
                    System.arraycopy(buffer, start, buffer, 0, limit - start);
                    base += start;
                    limit -= start;
                    start = 0;
                }
                int n = Math.min(length, buffer.length - limit);
                System.arraycopy(bytes, offset, buffer, limit, n);
                limit += n;
                offset += n;
                length -= n;
            }
        }

        /** Scans what is left: the stream has ended. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                scanChunk(buffer, start, limit, true, base, sink);
            }
        }
    }

    /**
     * Scans {@code bytes[from, limit)} and returns where scanning must resume: {@code limit} when
     * done, or the first position whose match might continue past {@code limit} (unless at end of input).
     */
    private int scanChunk(byte[] bytes, int from, int limit, boolean atEnd, long base, Consumer<StoreReference> sink) {
        int m = prefix.length;
        int p = from;
        while ((p = nextCandidate(bytes, p, limit)) >= 0) {
            if (p + m > limit) {
                return atEnd ? limit : p; // not enough bytes yet to decide
            }
            if (matchesPrefix(bytes, p)) {
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
            p++;
        }
        return limit;
    }

    /**
     * The first position in {@code [from, limit)} where the prefix may start, or -1. Eight positions
     * are tested at once: the prefix's first, second and last byte must all be in place. Class
     * files and text are full of '/', but "/n" followed by '/' ten bytes on is rare, so almost
     * every word is passed over without a branch taken. Near {@code limit}, where the last byte
     * cannot be seen yet, a position is returned on its first two bytes alone.
     */
    int nextCandidate(byte[] bytes, int from, int limit) {
        int m = prefix.length;
        int i = from;
        if (m >= 3) {
            for (; i + m - 1 + Long.BYTES <= limit; i += Long.BYTES) {
                long hits = equalBytes((long) LONGS.get(bytes, i), firstBytes)
                        & equalBytes((long) LONGS.get(bytes, i + 1), secondBytes)
                        & equalBytes((long) LONGS.get(bytes, i + m - 1), lastBytes);
                if (hits != 0) {
                    return i + (Long.numberOfTrailingZeros(hits) >>> 3);
                }
            }
        }
        for (; i < limit; i++) {
            if (bytes[i] == prefix[0] && (i + 1 >= limit || bytes[i + 1] == prefix[1])
                    && (i + m - 1 >= limit || bytes[i + m - 1] == prefix[m - 1])) {
                return i;
            }
        }
        return -1;
    }

    /** The high bit of each byte of {@code word} that equals the byte repeated in {@code pattern}; exact, no carries. */
    private static long equalBytes(long word, long pattern) {
        long x = word ^ pattern;
        long low = (x & 0x7f7f7f7f7f7f7f7fL) + 0x7f7f7f7f7f7f7f7fL;
        return ~(low | x | 0x7f7f7f7f7f7f7f7fL);
    }

    private static long repeated(byte b) {
        return (b & 0xffL) * 0x0101010101010101L;
    }

    private boolean matchesPrefix(byte[] bytes, int p) {
        for (int i = 1; i < prefix.length; i++) {
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
