package dev.closurewrap.nar;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A large read buffer over a stream that knows its byte offset and can hash exactly the bytes
 * consumed between {@link #startHash} and {@link #stopHash}. Hashing is done lazily on whole
 * consumed stretches of the buffer, never per token. Shared by the NAR reader and the export
 * reader, which embeds NARs in a longer stream: the NAR reader then never reads past its archive
 * as far as consumption (and hashing) is concerned.
 */
public final class WireSource implements Closeable {
    static final int DEFAULT_BUFFER_SIZE = 1 << 20;

    private final InputStream in;
    private final String name;
    private final byte[] buf;
    private int pos;
    private int limit;
    /** Stream offset of {@code buf[0]}. */
    private long bufStart;
    private boolean eof;
    private MessageDigest digest;
    /** Start of the consumed but not yet hashed bytes. */
    private int hashFrom;

    public WireSource(InputStream in, String name) {
        this(in, name, DEFAULT_BUFFER_SIZE);
    }

    public WireSource(InputStream in, String name, int bufferSize) {
        if (bufferSize < 8192) {
            throw new IllegalArgumentException("buffer too small: " + bufferSize);
        }
        this.in = in;
        this.name = name;
        this.buf = new byte[bufferSize];
    }

    /** Display name of the stream, for error messages. */
    public String name() {
        return name;
    }

    /** Offset of the next unconsumed byte from the start of the stream. */
    public long offset() {
        return bufStart + pos;
    }

    /** Makes at least {@code n} bytes available (n at most 8 KiB); false if the stream ends first. */
    public boolean request(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        compact();
        while (limit < n) {
            if (eof) {
                return false;
            }
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return true;
    }

    /** Bytes available without reading; refills once if none are and returns 0 only at the end of the stream. */
    public int fillSome() throws IOException {
        if (pos == limit) {
            request(1);
        }
        return limit - pos;
    }

    /** Whether the stream has no byte left. */
    public boolean atEnd() throws IOException {
        return !request(1);
    }

    /** The buffer holding the available bytes from {@link #position()}; read-only for callers. */
    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    /** Consumes {@code n} available bytes. */
    public void skip(int n) {
        if (n < 0 || n > limit - pos) {
            throw new IllegalArgumentException("skip " + n + " of " + (limit - pos));
        }
        pos += n;
    }

    /** The u64 at the current position, little-endian; requires 8 available bytes. */
    public long peekU64Le() {
        return peekU64Le(0);
    }

    long peekU64Le(int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + at + i] & 0xffL);
        }
        return v;
    }

    /** Whether the available bytes start with {@code expected}; requires them to be available. */
    boolean startsWith(byte[] expected, int from) {
        return java.util.Arrays.equals(buf, pos + from, pos + expected.length, expected, from, expected.length);
    }

    /** Whether the {@code n} bytes at {@code at} from the position are all zero; requires them available. */
    public boolean zeros(int at, int n) {
        for (int i = pos + at, end = i + n; i < end; i++) {
            if (buf[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** A copy of {@code n} available bytes at {@code at} from the position. */
    public byte[] copy(int at, int n) {
        return java.util.Arrays.copyOfRange(buf, pos + at, pos + at + n);
    }

    /** From now on every consumed byte goes into {@code d}. */
    public void startHash(MessageDigest d) {
        hashPending();
        digest = d;
        hashFrom = pos;
    }

    /** Stops hashing and returns the digest of the bytes consumed since {@link #startHash}. */
    public byte[] stopHash() {
        hashPending();
        MessageDigest d = digest;
        digest = null;
        return d.digest();
    }

    private void hashPending() {
        if (digest != null && pos > hashFrom) {
            digest.update(buf, hashFrom, pos - hashFrom);
        }
        hashFrom = pos;
    }

    private void compact() {
        hashPending();
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            bufStart += pos;
            limit -= pos;
            pos = 0;
            hashFrom = 0;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
