package dev.closurewrap.store;

import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarWriter;
import dev.closurewrap.nar.WireSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Writes a {@code nix-store --export} stream (framing in {@link ExportReader}). Paths must come
 * references first, as {@code nix-store --import} registers them in stream order.
 */
public final class ExportWriter {
    /** Writes one path's archive. */
    @FunctionalInterface
    public interface NarSource {
        void writeTo(NarWriter nar) throws IOException;
    }

    private final WireSink sink;
    private final StoreDir storeDir;

    public ExportWriter(WireSink sink, StoreDir storeDir) {
        this.sink = sink;
        this.storeDir = storeDir;
    }

    /** Appends one path; {@code nar} must write a whole archive (and finish it). */
    public ExportedPath add(StorePath path, Collection<StorePath> references, Optional<StorePath> deriver, NarSource nar)
            throws IOException {
        sink.writeU64Le(1);
        NarWriter writer = new NarWriter(sink, storeDir.print(path), true);
        nar.writeTo(writer);
        NarDigest digest = writer.finish();
        sink.writeU64Le(ExportReader.EXPORT_MAGIC);
        writeString(storeDir.print(path));
        TreeSet<StorePath> sorted = new TreeSet<>(references);
        sink.writeU64Le(sorted.size());
        for (StorePath ref : sorted) {
            writeString(storeDir.print(ref));
        }
        writeString(deriver.map(storeDir::print).orElse(""));
        sink.writeU64Le(0);
        return new ExportedPath(path, sorted, deriver, Hash.of(digest), digest.size());
    }

    /** Writes the end marker and flushes. */
    public void finish() throws IOException {
        sink.writeU64Le(0);
        sink.flush();
    }

    private void writeString(String s) throws IOException {
        sink.writeString(s.getBytes(StandardCharsets.UTF_8));
    }
}
