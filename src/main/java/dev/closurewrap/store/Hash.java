package dev.closurewrap.store;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.NarDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A hash with its algorithm. Parses every form Nix prints — {@code sha256:<base-32>},
 * {@code sha256:<base-16>}, {@code sha256:<base-64>} and SRI {@code sha256-<base-64>} — and prints
 * Nix's default {@code sha256:<base-32>} ({@link #toString()}) or SRI.
 */
public record Hash(HashAlgorithm algorithm, ByteString bytes) {
    public Hash {
        if (bytes.length() != algorithm.size()) {
            throw new IllegalArgumentException(algorithm.nixName() + " has " + algorithm.size() + " bytes, not " + bytes.length());
        }
    }

    public static Hash of(HashAlgorithm algorithm, byte[] bytes) {
        return new Hash(algorithm, ByteString.of(bytes));
    }

    /** SHA-256 of {@code data}. */
    public static Hash sha256(byte[] data) {
        return of(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(data));
    }

    /** The NarHash of an archive digest. */
    public static Hash of(NarDigest digest) {
        return new Hash(HashAlgorithm.SHA256, digest.sha256());
    }

    /**
     * Parses {@code algo:digest} (digest in base-32, base-16 or base-64, told apart by length) or
     * SRI {@code algo-base64}. Throws IllegalArgumentException naming what is wrong.
     */
    public static Hash parse(String text) {
        int colon = text.indexOf(':');
        int dash = text.indexOf('-');
        if (colon > 0 && (dash < 0 || colon < dash)) {
            return parse(algorithm(text.substring(0, colon), text), text.substring(colon + 1));
        }
        if (dash > 0) {
            HashAlgorithm algorithm = algorithm(text.substring(0, dash), text);
            return fromBase64(algorithm, text.substring(dash + 1), text);
        }
        throw new IllegalArgumentException("hash \"" + text + "\" has no algorithm prefix");
    }

    /** Parses a digest without prefix, in any of the three encodings. */
    public static Hash parse(HashAlgorithm algorithm, String digest) {
        int size = algorithm.size();
        if (digest.length() == size * 2) {
            try {
                return of(algorithm, HexFormat.of().parseHex(digest.toLowerCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad base-16 " + algorithm.nixName() + " \"" + digest + "\"");
            }
        }
        if (digest.length() == Nix32.encodedLength(size)) {
            return of(algorithm, Nix32.decode(digest, size));
        }
        if (digest.length() == (size + 2) / 3 * 4) {
            return fromBase64(algorithm, digest, digest);
        }
        throw new IllegalArgumentException(algorithm.nixName() + " hash \"" + digest + "\" has the length of no known encoding");
    }

    private static Hash fromBase64(HashAlgorithm algorithm, String b64, String whole) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base-64 in hash \"" + whole + "\"");
        }
        if (bytes.length != algorithm.size()) {
            throw new IllegalArgumentException("hash \"" + whole + "\" has " + bytes.length + " bytes, " + algorithm.nixName() + " has " + algorithm.size());
        }
        return of(algorithm, bytes);
    }

    private static HashAlgorithm algorithm(String name, String whole) {
        return HashAlgorithm.byNixName(name).orElseThrow(
                () -> new IllegalArgumentException("unknown hash algorithm \"" + name + "\" in \"" + whole + "\""));
    }

    /** {@code sha256:<base-32>}, as in narinfo files. */
    @Override
    public String toString() {
        return algorithm.nixName() + ":" + toNix32();
    }

    public String toNix32() {
        return Nix32.encode(bytes.toByteArray());
    }

    public String toBase16() {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    /** {@code sha256-<base-64>}. */
    public String toSri() {
        return algorithm.nixName() + "-" + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
