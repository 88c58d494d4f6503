package dev.closurewrap.nar;

import java.io.EOFException;
import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;

/**
 * A large write buffer over a channel that counts the bytes written and can hash them. Hashing
 * runs on whole buffers before they are written. Large files go from their channel straight to the
 * output with {@link FileChannel#transferTo} (sendfile) when nothing needs to see the bytes.
 */
public final class WireSink implements Flushable {
    static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    /** Files at least this big skip the buffer when not hashing. */
    private static final long TRANSFER_THRESHOLD = 256 * 1024;

    private final WritableByteChannel out;
    private final byte[] buf;
    private final ByteBuffer wrapped;
    private int pos;
    private long flushed;
    private MessageDigest digest;
    private long hashStart;

    public WireSink(WritableByteChannel out) {
        this(out, DEFAULT_BUFFER_SIZE);
    }

    public WireSink(WritableByteChannel out, int bufferSize) {
        this.out = out;
        this.buf = new byte[bufferSize];
        this.wrapped = ByteBuffer.wrap(buf);
    }

    public WireSink(OutputStream out) {
        this(Channels.newChannel(out));
    }

    public WireSink(OutputStream out, int bufferSize) {
        this(Channels.newChannel(out), bufferSize);
    }

    /** Bytes written so far, flushed or not. */
    public long offset() {
        return flushed + pos;
    }

    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == buf.length) {
                flush();
            }
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(b, off, buf, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    public void writeU64Le(long v) throws IOException {
        if (buf.length - pos < 8) {
            flush();
        }
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    public void writeZeros(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            if (pos == buf.length) {
                flush();
            }
            buf[pos++] = 0;
        }
    }

    /** A wire string: length, bytes, padding. */
    public void writeString(byte[] b) throws IOException {
        writeU64Le(b.length);
        write(b);
        writeZeros(NarWire.padding(b.length));
    }

    /** Exactly {@code size} bytes from {@code in}; fails if it ends sooner. */
    public void copyFrom(InputStream in, long size) throws IOException {
        long left = size;
        while (left > 0) {
            if (pos == buf.length) {
                flush();
            }
            int n = in.read(buf, pos, (int) Math.min(left, buf.length - pos));
            if (n < 0) {
                throw new EOFException("contents ended after " + (size - left) + " of " + size + " bytes");
            }
            pos += n;
            left -= n;
        }
    }

    /** Exactly {@code size} bytes of {@code file} from its start; fails if the file is shorter. */
    public void copyFrom(FileChannel file, long size) throws IOException {
        long done = 0;
        if (digest == null && size >= TRANSFER_THRESHOLD) {
            flush();
            while (done < size) {
                long n = file.transferTo(done, size - done, out);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
            flushed += done;
        } else {
            while (done < size) {
                if (pos == buf.length) {
                    flush();
                }
                wrapped.limit((int) Math.min(buf.length, pos + (size - done))).position(pos);
                int n = file.read(wrapped, done);
                if (n <= 0) {
                    break;
                }
                pos += n;
                done += n;
            }
        }
        if (done < size) {
            throw new EOFException("file shrank while being read: " + done + " of " + size + " bytes");
        }
    }

    /** From now on every written byte goes into {@code d}. */
    public void startHash(MessageDigest d) throws IOException {
        flush();
        digest = d;
        hashStart = offset();
    }

    /** Bytes written since {@link #startHash}. */
    public long hashedSize() {
        return offset() - hashStart;
    }

    /** Stops hashing and returns the digest of the bytes written since {@link #startHash}. */
    public byte[] stopHash() throws IOException {
        flush();
        MessageDigest d = digest;
        digest = null;
        return d.digest();
    }

    @Override
    public void flush() throws IOException {
        if (pos == 0) {
            return;
        }
        if (digest != null) {
            digest.update(buf, 0, pos);
        }
        wrapped.limit(pos).position(0);
        while (wrapped.hasRemaining()) {
            out.write(wrapped);
        }
        flushed += pos;
        pos = 0;
    }
}
