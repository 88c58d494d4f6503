package dev.closurewrap.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/** The hash algorithms Nix names in hashes: {@code md5}, {@code sha1}, {@code sha256}, {@code sha512}. */
public enum HashAlgorithm {
    MD5("md5", "MD5", 16),
    SHA1("sha1", "SHA-1", 20),
    SHA256("sha256", "SHA-256", 32),
    SHA512("sha512", "SHA-512", 64);

    private final String nixName;
    private final String javaName;
    private final int size;

    HashAlgorithm(String nixName, String javaName, int size) {
        this.nixName = nixName;
        this.javaName = javaName;
        this.size = size;
    }

    public String nixName() {
        return nixName;
    }

    /** Digest length in bytes. */
    public int size() {
        return size;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + javaName, e);
        }
    }

    public static Optional<HashAlgorithm> byNixName(String name) {
        return Arrays.stream(values()).filter(a -> a.nixName.equals(name)).findFirst();
    }
}
