package dev.closurewrap.store;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarReader;
import dev.closurewrap.nar.WireSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads a {@code nix-store --export} stream: per path, u64 {@code 1}, the NAR, u64
 * {@code 0x4558494e} ("NIXE"), the store path, the reference count and each reference, the
 * deriver (or empty), u64 {@code 0} (or {@code 1} and a legacy signature, ignored); after the last
 * path, u64 {@code 0}. The NAR is streamed to a consumer and hashed on the way; the stream must
 * end after the final {@code 0}.
 */
public final class ExportReader implements AutoCloseable {
    static final String FORMAT = "nix-store --export";
    static final long EXPORT_MAGIC = 0x4558494eL;
    /** Longest store path string accepted (paths are far shorter; this only bounds allocation). */
    static final int MAX_PATH_STRING = 4096;

    /** Sees each path's archive; it may read all, some or none of it. */
    @FunctionalInterface
    public interface NarConsumer {
        void accept(NarReader nar) throws IOException;
    }

    private final WireSource src;
    private final StoreDir storeDir;
    private boolean done;

    public ExportReader(InputStream in, String name, StoreDir storeDir) {
        this.src = new WireSource(in, name);
        this.storeDir = storeDir;
    }

    /** The next path, its archive given to {@code consumer} (may be null) first; null after the last. */
    public ExportedPath next(NarConsumer consumer) throws IOException {
        if (done) {
            return null;
        }
        long markerOffset = src.offset();
        long marker = readU64("path marker");
        if (marker == 0) {
            done = true;
            if (!src.atEnd()) {
                throw bad(src.offset(), "data after the end marker");
            }
            return null;
        }
        if (marker != 1) {
            throw bad(markerOffset, "expected 1 (a path follows) or 0 (end), got " + Long.toUnsignedString(marker));
        }
        NarReader nar = new NarReader(src, false);
        if (consumer != null) {
            consumer.accept(nar);
        }
        NarDigest digest = nar.drain();
        long magicOffset = src.offset();
        long magic = readU64("export magic");
        if (magic != EXPORT_MAGIC) {
            throw bad(magicOffset, "expected export magic 0x4558494e after the NAR, got 0x" + Long.toHexString(magic));
        }
        StorePath path = readPath("store path");
        long countOffset = src.offset();
        long count = readU64("reference count");
        if (count < 0) {
            throw bad(countOffset, "reference count " + Long.toUnsignedString(count) + " is beyond any stream");
        }
        TreeSet<StorePath> references = new TreeSet<>();
        for (long i = 0; i < count; i++) {
            long offset = src.offset();
            if (!references.add(readPath("reference"))) {
                throw bad(offset, "duplicate reference");
            }
        }
        long deriverOffset = src.offset();
        String deriverText = readString("deriver");
        Optional<StorePath> deriver = Optional.empty();
        if (!deriverText.isEmpty()) {
            deriver = Optional.of(parsePath(deriverText, deriverOffset));
        }
        long sigOffset = src.offset();
        long legacySignature = readU64("signature flag");
        if (legacySignature == 1) {
            readString("legacy signature");
        } else if (legacySignature != 0) {
            throw bad(sigOffset, "expected 0 or 1 (legacy signature), got " + Long.toUnsignedString(legacySignature));
        }
        return new ExportedPath(path, references, deriver, Hash.of(digest), digest.size());
    }

    @Override
    public void close() throws IOException {
        src.close();
    }

    private StorePath readPath(String what) throws IOException {
        long offset = src.offset();
        return parsePath(readString(what), offset);
    }

    private StorePath parsePath(String text, long offset) throws BadInputException {
        try {
            return storeDir.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(offset, e.getMessage());
        }
    }

    private long readU64(String what) throws IOException {
        if (!src.request(8)) {
            throw bad(src.offset(), "stream ends before the " + what);
        }
        long v = src.peekU64Le();
        src.skip(8);
        return v;
    }

    private String readString(String what) throws IOException {
        long offset = src.offset();
        long length = readU64(what + " length");
        if (length < 0 || length > MAX_PATH_STRING) {
            throw bad(offset, what + " of " + Long.toUnsignedString(length) + " bytes exceeds the limit of " + MAX_PATH_STRING);
        }
        int n = (int) length;
        int padded = (n + 7) & ~7;
        if (!src.request(padded)) {
            throw bad(offset, "stream ends inside the " + what);
        }
        if (!src.zeros(n, padded - n)) {
            throw bad(offset + 8 + n, "non-zero padding after the " + what);
        }
        byte[] bytes = src.copy(0, n);
        src.skip(padded);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private BadInputException bad(long offset, String problem) {
        return new BadInputException(FORMAT, src.name(), offset, problem);
    }
}
