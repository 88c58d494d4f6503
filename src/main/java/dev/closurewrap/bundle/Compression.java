package dev.closurewrap.bundle;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * The compressors an output may be wrapped in, each with settings that give the same bytes for the
 * same input on any machine: no file name or time in headers; gzip and xz single-threaded; zstd
 * in its multi-threaded mode, whose output is the same for every number of workers from one up
 * (zstd compresses fixed-size jobs and joins them in order), so the bytes do not depend on the
 * cores. Default levels are each tool's own default ({@code gzip -6}, {@code xz -6},
 * {@code zstd -3}), so the output compares with theirs.
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
                return zstd(out, level, Runtime.getRuntime().availableProcessors());
            default:
                throw new AssertionError(this);
        }
    }

    /** zstd with {@code workers} compression threads (at least one: the mode that does not depend on the count). */
    static OutputStream zstd(OutputStream out, int level, int workers) throws IOException {
        ZstdOutputStream z = new ZstdOutputStream(out, RecyclingBufferPool.INSTANCE);
        try {
            z.setLevel(level);
            // Content checksum on, as the zstd command writes by default.
            z.setChecksum(true);
            z.setWorkers(Math.max(1, workers));
        } catch (IOException | RuntimeException e) {
            z.close();
            throw e;
        }
        return z;
    }
}
