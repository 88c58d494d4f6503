package dev.closurewrap.nar;

import dev.closurewrap.io.BadInputException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * The compressions a NAR file or binary-cache NAR may have, with the names and extensions Nix
 * uses. A stream's compression is told by its magic bytes; the file name is only a hint.
 */
public enum NarCompression {
    NONE("none", "", new byte[0]),
    XZ("xz", ".xz", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}),
    ZSTD("zstd", ".zst", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
    BZIP2("bzip2", ".bz2", new byte[] {'B', 'Z', 'h'}),
    GZIP("gzip", ".gz", new byte[] {0x1f, (byte) 0x8b});

    private static final int MAGIC_LENGTH = 6;

    private final String nixName;
    private final String extension;
    private final byte[] magic;

    NarCompression(String nixName, String extension, byte[] magic) {
        this.nixName = nixName;
        this.extension = extension;
        this.magic = magic;
    }

    /** The name in a narinfo's {@code Compression:} field. */
    public String nixName() {
        return nixName;
    }

    /** Appended to {@code .nar} in file names ({@code .xz}), empty for none. */
    public String extension() {
        return extension;
    }

    /** The compression named in a narinfo, if supported. */
    public static Optional<NarCompression> byNixName(String name) {
        return Arrays.stream(values()).filter(c -> c.nixName.equals(name)).findFirst();
    }

    /** The compression whose magic starts {@code head}; NONE when none matches. */
    public static NarCompression detect(byte[] head, int length) {
        for (NarCompression c : values()) {
            if (c != NONE && length >= c.magic.length && Arrays.equals(head, 0, c.magic.length, c.magic, 0, c.magic.length)) {
                return c;
            }
        }
        return NONE;
    }

    /** {@code in}, decompressed according to its magic bytes. */
    public static InputStream decompressing(InputStream in, String name) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(MAGIC_LENGTH);
        byte[] head = buffered.readNBytes(MAGIC_LENGTH);
        buffered.reset();
        return detect(head, head.length).decompress(buffered, name);
    }

    /** {@code in} decompressed with this compression. */
    public InputStream decompress(InputStream in, String name) throws IOException {
        if (this == NONE) {
            return in;
        }
        CountingInput compressed = new CountingInput(in);
        try {
            return new Guarded(switch (this) {
                case NONE -> compressed;
                case XZ -> new XZCompressorInputStream(compressed, false);
                case ZSTD -> new ZstdCompressorInputStream(compressed);
                case BZIP2 -> new BZip2CompressorInputStream(compressed, false);
                case GZIP -> new GzipCompressorInputStream(compressed, false);
            }, compressed, name);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(nixName, name, 0, "cannot open compressed stream: " + e.getMessage(), e);
        }
    }

    /** Turns a decompressor's complaint about corrupt data (sometimes unchecked) into bad input. */
    private final class Guarded extends FilterInputStream {
        private final CountingInput compressed;
        private final String name;
        private long produced;

        Guarded(InputStream in, CountingInput compressed, String name) {
            super(in);
            this.compressed = compressed;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    produced += n;
                }
                return n;
            } catch (BadInputException e) {
                throw e;
            } catch (EOFException e) {
                // The offset is how far the decompressor had read: the end of what there was.
                throw new BadInputException(nixName, name, compressed.count,
                        "compressed data ends early (after " + produced + " decompressed bytes)", e);
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                throw new BadInputException(nixName, name, compressed.count,
                        "corrupt compressed data after " + produced + " decompressed bytes: " + why, e);
            }
        }
    }

    /** Counts the compressed bytes handed to the decompressor, for the offset in an error. */
    private static final class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            count += Math.max(skipped, 0);
            return skipped;
        }
    }

    /** A stream that compresses into {@code out}; closing it finishes the compressed stream and closes {@code out}. */
    public OutputStream compress(OutputStream out) throws IOException {
        return switch (this) {
            case NONE -> out;
            case XZ -> new XZCompressorOutputStream(out);
            case ZSTD -> new ZstdCompressorOutputStream(out);
            case BZIP2 -> new BZip2CompressorOutputStream(out);
            case GZIP -> new GzipCompressorOutputStream(out);
        };
    }
}
