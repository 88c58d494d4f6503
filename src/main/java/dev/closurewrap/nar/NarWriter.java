package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.BadNarException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes an archive from nodes given in archive order, the same {@link NarNode}s the reader
 * yields: the root first, a directory before its entries, entries in strictly increasing name
 * order. Directories are closed when a node outside them arrives and at {@link #finish()}.
 * The writer enforces {@link NarLimits} and the order, so it cannot produce an archive the reader
 * would reject; NarHash and NarSize are computed on the way.
 */
public final class NarWriter {
    private static final class Frame {
        final ByteString path;
        final int depth;
        ByteString lastName;

        Frame(ByteString path, int depth) {
            this.path = path;
            this.depth = depth;
        }
    }

    private final WireSink sink;
    private final String name;
    private final Deque<Frame> open = new ArrayDeque<>();
    private final boolean hashing;
    private boolean started;
    private boolean finished;
    private long start;
    private NarDigest digest;

    /**
     * @param name display name of the archive, for errors
     * @param hash whether to compute the digest (turns off zero-copy transfers of large files)
     */
    public NarWriter(WireSink sink, String name, boolean hash) {
        this.sink = sink;
        this.name = name;
        this.hashing = hash;
    }

    public void directory(ByteString path) throws IOException {
        int depth = begin(path);
        sink.write(NarWire.DIRECTORY.bytes);
        open.push(new Frame(path, depth));
    }

    public void symlink(ByteString path, ByteString target) throws IOException {
        Reason r = NarLimits.checkTarget(target);
        if (r != null) {
            throw bad(path, r, BadNarException.describe(r, target));
        }
        int depth = begin(path);
        sink.write(NarWire.SYMLINK_TARGET.bytes);
        sink.writeString(target.toByteArray());
        end(depth);
    }

    /** A regular file whose {@code size} bytes are read from {@code contents}. */
    public void regular(ByteString path, boolean executable, long size, InputStream contents) throws IOException {
        int depth = beginRegular(path, executable, size);
        sink.copyFrom(contents, size);
        endRegular(depth, size);
    }

    /** A regular file whose {@code size} bytes are the start of {@code file}. */
    public void regular(ByteString path, boolean executable, long size, FileChannel file) throws IOException {
        int depth = beginRegular(path, executable, size);
        sink.copyFrom(file, size);
        endRegular(depth, size);
    }

    /** Any node; {@code contents} is read for a regular file and ignored otherwise. */
    public void node(NarNode node, InputStream contents) throws IOException {
        if (node instanceof NarNode.Regular f) {
            regular(f.path(), f.executable(), f.size(), contents);
        } else if (node instanceof NarNode.Symlink l) {
            symlink(l.path(), l.target());
        } else {
            directory(node.path());
        }
    }

    /** Closes what is open and returns the digest (null when not hashing); calling it again returns the same. */
    public NarDigest finish() throws IOException {
        if (finished) {
            return digest;
        }
        if (!started) {
            throw bad(ByteString.EMPTY, Reason.BAD_TREE, "archive has no root node");
        }
        while (!open.isEmpty()) {
            closeDirectory();
        }
        finished = true;
        if (!hashing) {
            sink.flush();
            return null;
        }
        byte[] sha = sink.stopHash();
        digest = new NarDigest(ByteString.of(sha), sink.offset() - start);
        return digest;
    }

    private int beginRegular(ByteString path, boolean executable, long size) throws IOException {
        if (size < 0) {
            throw bad(path, Reason.CONTENTS_TOO_LARGE, "negative size " + size);
        }
        int depth = begin(path);
        sink.write(NarWire.REGULAR.bytes);
        if (executable) {
            sink.write(NarWire.EXECUTABLE.bytes);
        }
        sink.write(NarWire.CONTENTS.bytes);
        sink.writeU64Le(size);
        return depth;
    }

    private void endRegular(int depth, long size) throws IOException {
        sink.writeZeros(NarWire.padding(size));
        end(depth);
    }

    /** Opens the node at {@code path}: closes finished directories, writes the entry header. */
    private int begin(ByteString path) throws IOException {
        if (finished) {
            throw bad(path, Reason.BAD_TREE, "archive already finished");
        }
        if (!started) {
            if (path.length() != 0) {
                throw bad(path, Reason.BAD_TREE, "the first node must be the root, not \"" + path + "\"");
            }
            started = true;
            if (hashing) {
                sink.startHash(sha256());
            }
            start = sink.offset();
            sink.write(NarWire.ARCHIVE_START.bytes);
            return 0;
        }
        ByteString parent = NarPaths.parent(path);
        while (!open.isEmpty() && !open.peek().path.equals(parent)) {
            closeDirectory();
        }
        Frame dir = open.peek();
        if (dir == null || path.length() == 0) {
            throw bad(path, Reason.BAD_TREE, "node is not inside an open directory");
        }
        ByteString entry = NarPaths.name(path);
        Reason r = NarLimits.checkName(entry, dir.lastName);
        if (r != null) {
            throw bad(path, r, BadNarException.describe(r, entry));
        }
        if (dir.depth + 1 >= NarLimits.MAX_DEPTH) {
            throw bad(path, Reason.TOO_DEEP, "nesting deeper than " + (NarLimits.MAX_DEPTH - 1) + " directories");
        }
        dir.lastName = entry;
        sink.write(NarWire.ENTRY_NAME.bytes);
        sink.writeString(entry.toByteArray());
        sink.write(NarWire.NODE_START.bytes);
        return dir.depth + 1;
    }

    private void end(int depth) throws IOException {
        sink.write(NarWire.CLOSE.bytes);
        if (depth > 0) {
            sink.write(NarWire.CLOSE.bytes);
        }
    }

    private void closeDirectory() throws IOException {
        end(open.pop().depth);
    }

    private BadNarException bad(ByteString path, Reason reason, String problem) {
        return new BadNarException(name, path, sink.offset(), reason, problem);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
