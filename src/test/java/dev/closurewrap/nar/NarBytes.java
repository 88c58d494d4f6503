package dev.closurewrap.nar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds NAR bytes by hand, string by string, independently of {@link NarWire}: the fixtures the
 * reader and the writer are both tested against, and the raw material of the attack corpus.
 */
final class NarBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A framed string: u64le length, bytes, zero padding. */
    NarBytes str(String s) {
        return str(s.getBytes(StandardCharsets.UTF_8));
    }

    NarBytes str(byte[] b) {
        u64(b.length);
        out.write(b, 0, b.length);
        pad(b.length);
        return this;
    }

    /** Several framed strings in a row. */
    NarBytes strs(String... tokens) {
        for (String t : tokens) {
            str(t);
        }
        return this;
    }

    NarBytes u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    NarBytes raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    NarBytes pad(long length) {
        for (long i = length; i % 8 != 0; i++) {
            out.write(0);
        }
        return this;
    }

    /** A regular file node body after {@code ( type}: {@code regular [executable ""] contents <data> )}. */
    NarBytes file(String contents, boolean executable) {
        str("regular");
        if (executable) {
            strs("executable", "");
        }
        return str("contents").str(contents).str(")");
    }

    NarBytes entry(String name) {
        return strs("entry", "(", "name").str(name).strs("node", "(", "type");
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /**
     * facts.md's test vector: a directory with {@code a.txt} = "hello\n", executable
     * {@code run.sh}, symlink {@code link -> a.txt}, {@code sub/B} = "x" and an empty {@code sub/empty}.
     */
    static byte[] testVector() {
        return new NarBytes().strs("nix-archive-1", "(", "type", "directory")
                .entry("a.txt").file("hello\n", false).str(")")
                .entry("link").strs("symlink", "target", "a.txt", ")").str(")")
                .entry("run.sh").file("#!/bin/sh\necho hi\n", true).str(")")
                .entry("sub").str("directory")
                .entry("B").file("x", false).str(")")
                .entry("empty").file("", false).str(")")
                .str(")").str(")")
                .str(")")
                .bytes();
    }
}
