package dev.closurewrap.checkpoint;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A SHA-256 digest: of a file's content, of a plan, of a job's options. */
public record Sha256(ByteString bytes) implements Comparable<Sha256> {
    public static final int LENGTH = 32;

    public Sha256 {
        if (bytes == null || bytes.length() != LENGTH) {
            throw new IllegalArgumentException("a SHA-256 digest is 32 bytes, got "
                    + (bytes == null ? "null" : bytes.length()));
        }
    }

    public static Sha256 of(byte[] digest) {
        return new Sha256(ByteString.of(digest));
    }

    /** The digest of {@code data}. */
    public static Sha256 hash(byte[] data) {
        return of(newDigest().digest(data));
    }

    /** The digest of everything {@code in} yields; {@code in} is read to its end, not closed. */
    public static Sha256 hash(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return of(digest.digest());
    }

    /** The digest of a file's content. */
    public static Sha256 hash(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return hash(in);
        }
    }

    /** Parses 64 hex digits. */
    public static Sha256 fromHex(String hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a SHA-256 digest is 64 hex digits, got " + hex.length());
        }
        return of(HexFormat.of().parseHex(hex));
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public int compareTo(Sha256 other) {
        return bytes.compareTo(other.bytes);
    }

    @Override
    public String toString() {
        return "sha256:" + hex();
    }
}
