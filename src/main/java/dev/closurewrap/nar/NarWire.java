package dev.closurewrap.nar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The NAR wire grammar, written once; {@link NarReader} matches these byte sequences and
 * {@link NarWriter} emits them, so the two cannot drift apart.
 *
 * <pre>
 * string    = u64le length, bytes, zero padding to a multiple of 8
 * archive   = "nix-archive-1" node
 * node      = "(" "type" ( regular | symlink | directory ) ")"
 * regular   = "regular" [ "executable" "" ] "contents" string
 * symlink   = "symlink" "target" string
 * directory = "directory" { "entry" "(" "name" string "node" node ")" }
 * </pre>
 *
 * Each constant is a run of framed tokens that always occur together.
 */
final class NarWire {
    static final Sequence ARCHIVE_START = new Sequence("nix-archive-1", "(", "type");
    static final Sequence REGULAR = new Sequence("regular");
    static final Sequence EXECUTABLE = new Sequence("executable", "");
    static final Sequence CONTENTS = new Sequence("contents");
    static final Sequence SYMLINK_TARGET = new Sequence("symlink", "target");
    static final Sequence DIRECTORY = new Sequence("directory");
    static final Sequence ENTRY_NAME = new Sequence("entry", "(", "name");
    static final Sequence NODE_START = new Sequence("node", "(", "type");
    /** Closes a node, and, after a node inside a directory, the entry holding it. */
    static final Sequence CLOSE = new Sequence(")");

    private NarWire() {}

    /** Bytes of padding after a string of {@code length} bytes. */
    static int padding(long length) {
        return (int) (-length & 7);
    }

    /** A fixed run of tokens, framed as on the wire. */
    static final class Sequence {
        final String[] tokens;
        final byte[] bytes;
        /** Offset of each token inside {@link #bytes}, to point at the one that did not match. */
        final int[] starts;

        Sequence(String... tokens) {
            this.tokens = tokens;
            this.starts = new int[tokens.length];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < tokens.length; i++) {
                starts[i] = out.size();
                byte[] t = tokens[i].getBytes(StandardCharsets.US_ASCII);
                for (int k = 0; k < 8; k++) {
                    out.write((int) ((long) t.length >>> (8 * k)) & 0xff);
                }
                out.write(t, 0, t.length);
                out.write(new byte[padding(t.length)], 0, padding(t.length));
            }
            this.bytes = out.toByteArray();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (String t : tokens) {
                sb.append(sb.length() == 0 ? "" : " ").append('"').append(t).append('"');
            }
            return sb.toString();
        }
    }
}
