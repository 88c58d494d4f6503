package dev.closurewrap.elf;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Bounds-checked positional reads of small structures. Nothing is read or allocated before its
 * range has been checked against the input's size and {@link #MAX_READ}; the file itself is never
 * read or mapped whole, so inputs larger than 4 GiB work.
 */
abstract class ElfInput {
    static final String FORMAT = "ELF";
    /** The largest single structure read into memory (a table, a string). */
    static final int MAX_READ = 64 << 20;

    final String name;
    final long size;
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    private ElfInput(String name, long size) {
        this.name = name;
        this.size = size;
    }

    /** A window of {@code size} bytes starting at {@code base} of an open channel (closed by the caller). */
    static ElfInput of(String name, FileChannel channel, long base, long size) {
        return new ElfInput(name, size) {
            @Override
            void readFully(long offset, ByteBuffer dst) throws IOException {
                long position = base + offset;
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, position);
                    if (n < 0) {
                        throw new EOFException(name + ": file shrank while being read (at 0x"
                                + Long.toHexString(position) + ")");
                    }
                    position += n;
                }
            }
        };
    }

    static ElfInput of(String name, byte[] bytes) {
        return of(name, bytes, bytes.length);
    }

    /** The first {@code length} bytes of {@code bytes}, not copied. */
    static ElfInput of(String name, byte[] bytes, int length) {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("length " + length + " of " + bytes.length);
        }
        return new ElfInput(name, length) {
            @Override
            void readFully(long offset, ByteBuffer dst) {
                dst.put(bytes, Math.toIntExact(offset), dst.remaining());
            }
        };
    }

    abstract void readFully(long offset, ByteBuffer dst) throws IOException;

    BadInputException bad(long offset, String problem) {
        return new BadInputException(FORMAT, name, offset, problem);
    }

    /** Whether {@code length} bytes at {@code offset} lie inside the input (overflow-safe). */
    boolean inBounds(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /** Fails unless {@code length} bytes at {@code offset} lie inside the input. */
    void requireInBounds(long offset, long length, String what) throws BadInputException {
        if (!inBounds(offset, length)) {
            throw bad(offset, what + " runs past end of file (size 0x" + Long.toHexString(size) + ")");
        }
    }

    /** {@code length} bytes at {@code offset}, in the file's byte order, after the range checks. */
    ByteBuffer read(long offset, long length, String what) throws IOException {
        requireInBounds(offset, length, what);
        if (length > MAX_READ) {
            throw new UnsupportedInputException(name, what + " at 0x" + Long.toHexString(offset) + " is 0x"
                    + Long.toHexString(length) + " bytes, more than the " + (MAX_READ >> 20) + " MiB limit");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length).order(order);
        readFully(offset, buffer);
        return buffer.flip();
    }

    /** Up to {@code length} bytes at {@code offset}, fewer where the input ends. */
    ByteBuffer readAtMost(long offset, int length) throws IOException {
        long available = offset >= size ? 0 : Math.min(length, size - offset);
        ByteBuffer buffer = ByteBuffer.allocate((int) available).order(order);
        readFully(offset, buffer);
        return buffer.flip();
    }
}
