package dev.closurewrap.bundle;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * The compressors an output may be wrapped in, each with settings that give the same bytes for the
 * same input: single-threaded, no file name or time in headers. Default levels are each tool's own
 * default ({@code gzip -6}, {@code xz -6}, {@code zstd -3}), so the output compares with theirs.
 */
public enum Compression {
    NONE("", 0),
    GZIP(".gz", 6),
    XZ(".xz", 6),
    ZSTD(".zst", 3);

    private final String suffix;
    private final int defaultLevel;

    Compression(String suffix, int defaultLevel) {
        this.suffix = suffix;
        this.defaultLevel = defaultLevel;
    }

    /** The file name suffix, {@code ""} for none. */
    public String suffix() {
        return suffix;
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    /** The compression by file name suffix ({@code .gz}, {@code .tgz} counts as tar + gzip elsewhere). */
    static Compression bySuffix(String fileName) {
        for (Compression c : values()) {
            if (c != NONE && fileName.endsWith(c.suffix)) {
                return c;
            }
        }
        return NONE;
    }

    /** Wraps {@code out}; closing the result finishes the compressed stream and closes {@code out}. */
    public OutputStream wrap(OutputStream out, int level) throws IOException {
        switch (this) {
            case NONE:
                return out;
            case GZIP: {
                GzipParameters parameters = new GzipParameters();
                parameters.setCompressionLevel(level);
                parameters.setModificationTime(0);
                parameters.setOperatingSystem(255);
                return new GzipCompressorOutputStream(out, parameters);
            }
            case XZ:
                return new XZCompressorOutputStream(out, level);
            case ZSTD:
                // Content checksum on, as the zstd command writes by default.
                return new ZstdCompressorOutputStream(out, level, false, true);
            default:
                throw new AssertionError(this);
        }
    }
}
