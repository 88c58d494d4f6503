package dev.closurewrap.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * A Nix binary-cache secret key, {@code name:base64(seed || public key)} (64 bytes, libsodium's
 * layout), as {@code nix-store --generate-binary-cache-key} writes it. Signs with the JDK's Ed25519.
 */
public final class SigningKey {
    private final String name;
    private final PrivateKey key;
    private final VerifyingKey publicKey;

    private SigningKey(String name, PrivateKey key, VerifyingKey publicKey) {
        this.name = name;
        this.key = key;
        this.publicKey = publicKey;
    }

    /** Parses the key file's text; checks that its public half matches its seed. */
    public static SigningKey parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("secret key is not name:base64");
        }
        String name = t.substring(0, colon);
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(t.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret key \"" + name + "\" is not valid base-64");
        }
        if (bytes.length != 64) {
            throw new IllegalArgumentException("secret key \"" + name + "\" has " + bytes.length + " bytes, not 64");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(
                    new EdECPrivateKeySpec(NamedParameterSpec.ED25519, Arrays.copyOf(bytes, 32)));
            VerifyingKey pub = new VerifyingKey(name, Arrays.copyOfRange(bytes, 32, 64));
            SigningKey signing = new SigningKey(name, key, pub);
            String probe = "closure-wrap key check";
            if (!pub.verify(probe, signing.sign(probe))) {
                throw new IllegalArgumentException("secret key \"" + name + "\": public half does not match the seed");
            }
            return signing;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("secret key \"" + name + "\": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public VerifyingKey publicKey() {
        return publicKey;
    }

    /** {@code name:base64(signature)} over {@code message}. */
    public String sign(String message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(message.getBytes(StandardCharsets.UTF_8));
            return name + ":" + Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
