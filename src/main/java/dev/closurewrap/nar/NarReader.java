package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.BadNarException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Streams an archive node by node ({@link #next()}); a regular file's contents are read from
 * {@link #contents()} before the next call, or skipped. Nothing the archive claims is allocated:
 * names and targets are bounded by {@link NarLimits}, contents are streamed. The SHA-256 and length
 * of the archive (NarHash, NarSize) are computed on the way and available once {@link #next()}
 * has returned null.
 *
 * <pre>{@code
 * try (NarReader nar = NarReader.standalone(in, "d.nar")) {
 *     for (NarNode node; (node = nar.next()) != null; ) { ... }
 *     NarDigest digest = nar.digest();
 * }
 * }</pre>
 */
public final class NarReader implements AutoCloseable {
    private enum State { START, IN_DIRECTORY, AFTER_SYMLINK, IN_CONTENTS, DONE }

    /** An open directory: its path, depth and the last entry name seen. */
    private static final class Frame {
        final ByteString path;
        final int depth;
        ByteString lastName;

        Frame(ByteString path, int depth) {
            this.path = path;
            this.depth = depth;
        }
    }

    private final WireSource src;
    private final boolean standalone;
    private final boolean hashing;
    private final Deque<Frame> open = new ArrayDeque<>();
    private State state = State.START;
    private final long start;
    /** Path and depth of the current node (for errors and closing). */
    private ByteString nodePath = ByteString.EMPTY;
    private int nodeDepth;
    private long contentsLeft;
    private long contentsSize;
    private long contentsOffset;
    private NarDigest digest;
    private final ContentsStream contents = new ContentsStream();

    /**
     * A reader of the archive starting at {@code src}'s position. A standalone archive must end
     * with its stream; an embedded one (in an export stream) stops after its last byte.
     */
    public NarReader(WireSource src, boolean standalone) {
        this(src, standalone, true);
    }

    /**
     * As above; without {@code hash} the SHA-256 is not computed (a restore that needs no NarHash
     * saves the hashing, the biggest cost after the disk) and {@link #digest()} is not available.
     */
    public NarReader(WireSource src, boolean standalone, boolean hash) {
        this.src = src;
        this.standalone = standalone;
        this.hashing = hash;
        this.start = src.offset();
        if (hash) {
            src.startHash(sha256());
        }
    }

    /** A reader of a whole stream that holds exactly one archive, computing its digest. */
    public static NarReader standalone(InputStream in, String name) {
        return new NarReader(new WireSource(in, name), true);
    }

    /** Whether {@link #digest()} will be available at the end. */
    public boolean hashing() {
        return hashing;
    }

    /** The next node, or null after the last one (the archive has then been checked to its end). */
    public NarNode next() throws IOException {
        switch (state) {
            case DONE:
                return null;
            case START:
                expect(NarWire.ARCHIVE_START);
                return readNode(ByteString.EMPTY, 0);
            case IN_CONTENTS:
                contents.skipRest();
                long padOffset = src.offset();
                int pad = NarWire.padding(contentsSize);
                if (!src.request(pad)) {
                    throw bad(Reason.TRUNCATED, padOffset, "archive ends inside the padding of file contents");
                }
                if (!src.zeros(0, pad)) {
                    throw bad(Reason.NONZERO_PADDING, padOffset, "non-zero padding after file contents");
                }
                src.skip(pad);
                closeLeaf();
                break;
            case AFTER_SYMLINK:
                closeLeaf();
                break;
            case IN_DIRECTORY:
                break;
            default:
                throw new IllegalStateException(state.name());
        }
        return nextInDirectory();
    }

    /** Contents of the last {@link NarNode.Regular}; valid until the next call of {@link #next()}. */
    public InputStream contents() {
        if (state != State.IN_CONTENTS) {
            throw new IllegalStateException("no regular file is current");
        }
        return contents;
    }

    /** Offset of the current file's contents from the start of the archive (Nix's {@code narOffset}). */
    public long contentsOffset() {
        return contentsOffset - start;
    }

    /** NarHash and NarSize, once {@link #next()} has returned null (and if hashing). */
    public NarDigest digest() {
        if (digest == null) {
            throw new IllegalStateException(hashing ? "archive not read to its end" : "reader does not hash");
        }
        return digest;
    }

    /** Reads (and checks) the rest of the archive and returns its digest (null if not hashing). */
    public NarDigest drain() throws IOException {
        while (next() != null) {
            // every node is checked on the way
        }
        return digest;
    }

    /** Display name of the archive stream. */
    public String name() {
        return src.name();
    }

    @Override
    public void close() throws IOException {
        src.close();
    }

    private NarNode nextInDirectory() throws IOException {
        while (true) {
            Frame dir = open.peek();
            if (dir == null) {
                finish();
                return null;
            }
            nodePath = dir.path;
            if (at(NarWire.CLOSE)) {
                src.skip(NarWire.CLOSE.bytes.length);
                open.pop();
                nodeDepth = dir.depth;
                if (dir.depth > 0) {
                    expect(NarWire.CLOSE);
                }
                continue;
            }
            expect(NarWire.ENTRY_NAME, "\"entry\" or \")\"");
            long nameOffset = src.offset();
            ByteString name = readString(NarLimits.MAX_NAME_LENGTH, Reason.NAME_TOO_LONG, "entry name");
            ByteString child = NarPaths.child(dir.path, name);
            Reason r = NarLimits.checkName(name, dir.lastName);
            if (r != null) {
                nodePath = r == Reason.NAME_NOT_INCREASING ? child : dir.path;
                throw bad(r, nameOffset, BadNarException.describe(r, name));
            }
            dir.lastName = name;
            if (dir.depth + 1 >= NarLimits.MAX_DEPTH) {
                nodePath = child;
                throw bad(Reason.TOO_DEEP, nameOffset, "nesting deeper than " + (NarLimits.MAX_DEPTH - 1) + " directories");
            }
            expect(NarWire.NODE_START);
            return readNode(child, dir.depth + 1);
        }
    }

    private NarNode readNode(ByteString path, int depth) throws IOException {
        nodePath = path;
        nodeDepth = depth;
        if (at(NarWire.REGULAR)) {
            src.skip(NarWire.REGULAR.bytes.length);
            boolean executable = atFirstToken(NarWire.EXECUTABLE);
            if (executable) {
                expect(NarWire.EXECUTABLE);
            }
            expect(NarWire.CONTENTS);
            long sizeOffset = src.offset();
            if (!src.request(8)) {
                throw bad(Reason.TRUNCATED, sizeOffset, "archive ends before the contents length");
            }
            long size = src.peekU64Le();
            if (size < 0) {
                throw bad(Reason.CONTENTS_TOO_LARGE, sizeOffset, "contents length " + Long.toUnsignedString(size) + " is beyond any archive");
            }
            src.skip(8);
            contentsSize = size;
            contentsLeft = size;
            contentsOffset = src.offset();
            state = State.IN_CONTENTS;
            return new NarNode.Regular(path, executable, size);
        }
        if (atFirstToken(NarWire.SYMLINK_TARGET)) {
            expect(NarWire.SYMLINK_TARGET);
            long targetOffset = src.offset();
            ByteString target = readString(NarLimits.MAX_TARGET_LENGTH, Reason.TARGET_TOO_LONG, "symlink target");
            Reason r = NarLimits.checkTarget(target);
            if (r != null) {
                throw bad(r, targetOffset, BadNarException.describe(r, target));
            }
            state = State.AFTER_SYMLINK;
            return new NarNode.Symlink(path, target);
        }
        if (at(NarWire.DIRECTORY)) {
            src.skip(NarWire.DIRECTORY.bytes.length);
            open.push(new Frame(path, depth));
            state = State.IN_DIRECTORY;
            return new NarNode.Directory(path);
        }
        throw unexpected("\"regular\", \"symlink\" or \"directory\"");
    }

    /** After a file or symlink: its node's ")" and, inside a directory, the entry's ")". */
    private void closeLeaf() throws IOException {
        expect(NarWire.CLOSE);
        if (nodeDepth > 0) {
            expect(NarWire.CLOSE);
        }
        state = State.IN_DIRECTORY;
    }

    private void finish() throws IOException {
        state = State.DONE;
        nodePath = ByteString.EMPTY;
        long end = src.offset();
        if (hashing) {
            digest = new NarDigest(ByteString.of(src.stopHash()), end - start);
        }
        if (standalone && !src.atEnd()) {
            throw bad(Reason.TRAILING_DATA, end, "data after the end of the archive");
        }
    }

    private boolean at(NarWire.Sequence seq) throws IOException {
        return src.request(seq.bytes.length) && src.startsWith(seq.bytes, 0);
    }

    /** Whether the first token of {@code seq} is next (the rest is then expected). */
    private boolean atFirstToken(NarWire.Sequence seq) throws IOException {
        int n = seq.tokens.length > 1 ? seq.starts[1] : seq.bytes.length;
        return src.request(n) && java.util.Arrays.equals(src.buffer(), src.position(), src.position() + n, seq.bytes, 0, n);
    }

    private void expect(NarWire.Sequence seq) throws IOException {
        expect(seq, "\"" + seq.tokens[0] + "\"");
    }

    /** Consumes {@code seq} or fails naming its first missing token ({@code firstExpected} if it is the first). */
    private void expect(NarWire.Sequence seq, String firstExpected) throws IOException {
        if (at(seq)) {
            src.skip(seq.bytes.length);
            return;
        }
        // Point at the first token of the run that is not there.
        for (int i = 0; i < seq.tokens.length; i++) {
            int from = seq.starts[i];
            int to = i + 1 < seq.tokens.length ? seq.starts[i + 1] : seq.bytes.length;
            if (!src.request(to) || !java.util.Arrays.equals(src.buffer(), src.position() + from,
                    src.position() + to, seq.bytes, from, to)) {
                src.skip(from);
                throw unexpected(i == 0 ? firstExpected : "\"" + seq.tokens[i] + "\"");
            }
        }
        throw new IllegalStateException("sequence both matched and did not");
    }

    /** The error for a token that is not one of {@code expected}, describing what is there instead. */
    private BadNarException unexpected(String expected) throws IOException {
        long offset = src.offset();
        if (!src.request(8)) {
            return bad(Reason.TRUNCATED, offset, "archive ends where " + expected + " is expected");
        }
        long length = src.peekU64Le();
        if (length < 0 || length > NarLimits.MAX_TOKEN_LENGTH) {
            return bad(Reason.TOKEN_TOO_LONG, offset, "expected " + expected + ", got a string of "
                    + Long.toUnsignedString(length) + " bytes");
        }
        if (!src.request(8 + (int) length)) {
            return bad(Reason.TRUNCATED, offset, "archive ends inside a string where " + expected + " is expected");
        }
        ByteString got = ByteString.of(src.copy(8, (int) length));
        if (!src.request(8 + (int) length + NarWire.padding(length))) {
            return bad(Reason.TRUNCATED, offset, "archive ends inside the padding of \"" + got + "\"");
        }
        if (!src.zeros(8 + (int) length, NarWire.padding(length))) {
            return bad(Reason.NONZERO_PADDING, offset + 8 + length, "non-zero padding after \"" + got + "\"");
        }
        return bad(Reason.UNEXPECTED_TOKEN, offset, "expected " + expected + ", got \"" + got + "\"");
    }

    /** A length-prefixed string of at most {@code max} bytes, with its padding checked. */
    private ByteString readString(int max, Reason tooLong, String what) throws IOException {
        long offset = src.offset();
        if (!src.request(8)) {
            throw bad(Reason.TRUNCATED, offset, "archive ends before the " + what);
        }
        long length = src.peekU64Le();
        if (length < 0 || length > max) {
            throw bad(tooLong, offset, what + " of " + Long.toUnsignedString(length) + " bytes exceeds the limit of " + max);
        }
        int n = (int) length;
        int pad = NarWire.padding(n);
        if (!src.request(8 + n + pad)) {
            throw bad(Reason.TRUNCATED, offset, "archive ends inside the " + what + " (" + n + " bytes)");
        }
        if (!src.zeros(8 + n, pad)) {
            throw bad(Reason.NONZERO_PADDING, offset + 8 + n, "non-zero padding after the " + what);
        }
        ByteString s = ByteString.of(src.copy(8, n));
        src.skip(8 + n + pad);
        return s;
    }

    private BadNarException bad(Reason reason, long offset, String problem) {
        return new BadNarException(src.name(), nodePath, offset, reason, problem);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The current file's contents: served straight from the source's buffer. */
    private final class ContentsStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (state != State.IN_CONTENTS || contentsLeft == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = (int) Math.min(Math.min(len, contentsLeft), available0());
            System.arraycopy(src.buffer(), src.position(), b, off, n);
            consume(n);
            return n;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            while (state == State.IN_CONTENTS && contentsLeft > 0) {
                int n = (int) Math.min(contentsLeft, available0());
                out.write(src.buffer(), src.position(), n);
                consume(n);
                total += n;
            }
            return total;
        }

        @Override
        public int available() {
            return 0;
        }

        void skipRest() throws IOException {
            while (contentsLeft > 0) {
                consume((int) Math.min(contentsLeft, available0()));
            }
        }

        private int available0() throws IOException {
            int n = src.fillSome();
            if (n == 0) {
                throw bad(Reason.TRUNCATED, src.offset(), "archive ends inside file contents ("
                        + contentsLeft + " of " + contentsSize + " bytes missing)");
            }
            return n;
        }

        private void consume(int n) {
            src.skip(n);
            contentsLeft -= n;
        }
    }
}
