package dev.closurewrap.elf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The result of laying out a set of edits: byte ranges to overwrite and the new file size. The
 * output is the input with these writes applied in order (a later write wins where two overlap),
 * cut or zero-extended to {@link #newSize()}. A patch holds no write that would leave the bytes as
 * they were, so an edit that changes nothing has {@link #isEmpty()}.
 */
public record ElfPatch(long originalSize, long newSize, List<Write> writes) {
    private static final int STREAM_CHUNK = 1 << 20;

    /** {@code bytes} written at file {@code offset}. */
    public record Write(long offset, byte[] bytes) {
        public Write {
            Objects.requireNonNull(bytes, "bytes");
            if (offset < 0 || offset > Long.MAX_VALUE - bytes.length) {
                throw new IllegalArgumentException("offset " + offset);
            }
        }

        long end() {
            return offset + bytes.length;
        }
    }

    public ElfPatch {
        writes = List.copyOf(writes);
        if (originalSize < 0 || newSize < 0) {
            throw new IllegalArgumentException("size " + originalSize + " -> " + newSize);
        }
        for (Write w : writes) {
            if (w.end() > newSize) {
                throw new IllegalArgumentException("write at 0x" + Long.toHexString(w.offset())
                        + " runs past the new size 0x" + Long.toHexString(newSize));
            }
        }
    }

    /** Whether applying the patch leaves the file byte for byte as it was. */
    public boolean isEmpty() {
        return writes.isEmpty() && newSize == originalSize;
    }

    /** How many bytes the file grows by (negative if it shrinks). */
    public long growth() {
        return newSize - originalSize;
    }

    /** The patched image of {@code original} (which must be the input the patch was made for). */
    public byte[] applyTo(byte[] original) {
        if (original.length != originalSize) {
            throw new IllegalArgumentException("patch is for " + originalSize + " bytes, got " + original.length);
        }
        byte[] out = Arrays.copyOf(original, Math.toIntExact(newSize));
        for (Write w : writes) {
            System.arraycopy(w.bytes(), 0, out, (int) w.offset(), w.bytes().length);
        }
        return out;
    }

    /**
     * Streams the patched image of {@code source} to {@code out} in file order through one buffer,
     * for a writer that also hashes or scans what it writes: one pass, where a copy by the kernel
     * would need a second read of the result.
     */
    public void streamTo(FileChannel source, OutputStream out) throws IOException {
        byte[] buffer = new byte[(int) Math.min(STREAM_CHUNK, Math.max(newSize, 1))];
        ByteBuffer view = ByteBuffer.wrap(buffer);
        for (long position = 0; position < newSize; ) {
            int n = (int) Math.min(buffer.length, newSize - position);
            int fromSource = (int) Math.max(0, Math.min(n, originalSize - position));
            view.clear().limit(fromSource);
            while (view.hasRemaining()) {
                if (source.read(view, position + view.position()) < 0) {
                    throw new IOException("input shrank while being copied (at 0x"
                            + Long.toHexString(position + view.position()) + ")");
                }
            }
            Arrays.fill(buffer, fromSource, n, (byte) 0);
            long end = position + n;
            for (Write w : writes) { // in order: a later write wins
                long from = Math.max(position, w.offset());
                long to = Math.min(end, w.end());
                if (from < to) {
                    System.arraycopy(w.bytes(), (int) (from - w.offset()), buffer, (int) (from - position), (int) (to - from));
                }
            }
            out.write(buffer, 0, n);
            position = end;
        }
    }

    /**
     * Writes the patched image to {@code target} (empty, open for writing), copying the unchanged
     * bytes from {@code source} without holding the file in memory.
     */
    public void writeTo(FileChannel source, FileChannel target) throws IOException {
        long copy = Math.min(originalSize, newSize);
        long position = 0;
        while (position < copy) {
            long n = source.transferTo(position, copy - position, target);
            if (n <= 0) {
                throw new IOException("input shrank while being copied (at 0x" + Long.toHexString(position) + ")");
            }
            position += n;
        }
        if (newSize > copy) {
            // Zero-extend; the writes below fill what the new size adds.
            target.write(ByteBuffer.allocate(1), newSize - 1);
        }
        target.truncate(newSize);
        for (Write w : writes) {
            ByteBuffer b = ByteBuffer.wrap(w.bytes());
            long at = w.offset();
            while (b.hasRemaining()) {
                at += target.write(b, at);
            }
        }
    }
}
