package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The extension point for NAR output: the NAR grammar as calls, made by {@link NarSink} in the
 * order NAR requires (entries of each directory in strictly increasing name bytes, depth first).
 * {@link NarOutput} adapts the {@code nar} package's writer to it; tests may pass their own.
 *
 * <pre>
 * beginDirectory()                       ( type directory
 *   beginEntry(name) ... endEntry()        entry ( name N node ... )
 * endDirectory()                         )
 * regular(executable, size, content)     ( type regular [executable ""] contents ... )
 * symlink(target)                        ( type symlink target T )
 * </pre>
 */
public interface NarTreeWriter {
    void beginDirectory() throws IOException;

    void beginEntry(ByteString name) throws IOException;

    void endEntry() throws IOException;

    void endDirectory() throws IOException;

    /** A regular file of exactly {@code size} bytes, read from {@code content}. */
    void regular(boolean executable, long size, InputStream content) throws IOException;

    void symlink(ByteString target) throws IOException;

    /** Ends the archive; the underlying stream is left open. */
    void finish() throws IOException;

    /** Makes a writer of one NAR onto a stream. */
    @FunctionalInterface
    interface Factory {
        NarTreeWriter open(OutputStream out) throws IOException;
    }
}
