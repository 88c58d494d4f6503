package dev.closurewrap.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;

/** A Nix binary-cache public key, {@code name:base64(32-byte Ed25519 key)}. */
public final class VerifyingKey {
    private final String name;
    private final byte[] bytes;
    private final PublicKey key;

    VerifyingKey(String name, byte[] bytes) throws GeneralSecurityException {
        this.name = name;
        this.bytes = bytes.clone();
        this.key = KeyFactory.getInstance("Ed25519").generatePublic(
                new EdECPublicKeySpec(NamedParameterSpec.ED25519, point(bytes)));
    }

    public static VerifyingKey parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("public key is not name:base64");
        }
        try {
            byte[] b = Base64.getDecoder().decode(t.substring(colon + 1));
            if (b.length != 32) {
                throw new IllegalArgumentException("public key has " + b.length + " bytes, not 32");
            }
            return new VerifyingKey(t.substring(0, colon), b);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad public key \"" + t + "\": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    /** Whether {@code sig} ({@code name:base64}) is this key's valid signature of {@code message}. */
    public boolean verify(String message, String sig) {
        int colon = sig.indexOf(':');
        if (colon <= 0 || !sig.substring(0, colon).equals(name)) {
            return false;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(sig.substring(colon + 1));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message.getBytes(StandardCharsets.UTF_8));
            return raw.length == 64 && s.verify(raw);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return name + ":" + Base64.getEncoder().encodeToString(bytes);
    }

    /** RFC 8032 encoding: y little-endian, the top bit of the last byte the parity of x. */
    private static EdECPoint point(byte[] encoded) {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = encoded[31 - i];
        }
        boolean xOdd = (be[0] & 0x80) != 0;
        be[0] &= 0x7f;
        return new EdECPoint(xOdd, new BigInteger(1, be));
    }
}
