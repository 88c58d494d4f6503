package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarPaths;
import dev.closurewrap.nar.NarWriter;
import dev.closurewrap.nar.WireSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The {@code nar} package's {@link NarWriter} behind the {@link NarTreeWriter} calls {@link NarSink}
 * makes: it turns the nested begin/end calls into the archive paths the writer takes, and the
 * writer checks names, order and limits as it goes; can compute NarHash and NarSize on the way.
 */
public final class NarOutput implements NarTreeWriter {
    /** The factory {@link Sinks#open} uses for NAR outputs: no digest, which nobody reads there. */
    public static final NarTreeWriter.Factory FACTORY = out -> new NarOutput(out, false);

    private final WireSink sink;
    private final NarWriter writer;
    /** The path of the node the next call describes: the root, then entries as they open. */
    private final Deque<ByteString> path = new ArrayDeque<>();
    private NarDigest digest;

    /** A writer onto {@code out} that computes the digest. */
    public NarOutput(OutputStream out) {
        this(out, true);
    }

    /** @param hash whether to compute NarHash and NarSize ({@link #digest}) */
    public NarOutput(OutputStream out, boolean hash) {
        this.sink = new WireSink(out);
        this.writer = new NarWriter(sink, "output NAR", hash);
        path.push(ByteString.EMPTY);
    }

    /** Drives a writer someone else owns and finishes (a binary cache's, which hashes and compresses). */
    NarOutput(NarWriter writer) {
        this.sink = null;
        this.writer = writer;
        path.push(ByteString.EMPTY);
    }

    @Override
    public void beginDirectory() throws IOException {
        writer.directory(path.peek());
    }

    @Override
    public void beginEntry(ByteString name) throws IOException {
        path.push(NarPaths.child(path.peek(), name));
    }

    @Override
    public void endEntry() {
        path.pop();
    }

    @Override
    public void endDirectory() {
        // The writer closes a directory when a node outside it, or the end, arrives.
    }

    @Override
    public void regular(boolean executable, long size, InputStream content) throws IOException {
        writer.regular(path.peek(), executable, size, content);
    }

    @Override
    public void symlink(ByteString target) throws IOException {
        writer.symlink(path.peek(), target);
    }

    @Override
    public void finish() throws IOException {
        digest = writer.finish();
        if (sink != null) {
            sink.flush();
        }
    }

    /** NarHash and NarSize of the archive, after {@link #finish} of a hashing writer. */
    public NarDigest digest() {
        if (digest == null) {
            throw new IllegalStateException("archive not finished, or not hashed");
        }
        return digest;
    }
}
