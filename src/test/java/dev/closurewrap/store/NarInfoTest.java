package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.BadInputException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NarInfoTest {
    /** What {@code nix copy --to file://} wrote for the test vector path (Nix 2.8). */
    static final String NIX_WRITTEN = """
            StorePath: /nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d
            URL: nar/14zcprn55kd883hyvzqdpm9x4kmgb2rqqlgg6wqy7alvbm2da7cv.nar.xz
            Compression: xz
            FileHash: sha256:14zcprn55kd883hyvzqdpm9x4kmgb2rqqlgg6wqy7alvbm2da7cv
            FileSize: 280
            NarHash: sha256:0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi
            NarSize: 1264
            References: \nCA: fixed:r:sha256:0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi
            """;

    static NarInfo parse(String text) throws BadInputException {
        return NarInfo.parse(text.getBytes(StandardCharsets.UTF_8), "x.narinfo", StoreDir.DEFAULT);
    }

    @Test
    void parse_nixWrittenNarinfo_givesEveryField() throws Exception {
        NarInfo info = parse(NIX_WRITTEN);
        assertEquals("9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d", info.storePath().baseName());
        assertEquals("xz", info.compression());
        assertEquals(280, info.fileSize().getAsLong());
        assertEquals(1264, info.narSize());
        assertEquals(Hash.parse("sha256:" + Nix32Test.VECTOR_SHA256), info.narHash());
        assertTrue(info.references().isEmpty());
        assertEquals(Optional.of("fixed:r:sha256:0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi"), info.ca());
    }

    @Test
    void render_nixWrittenNarinfo_isByteIdentical() throws Exception {
        assertEquals(NIX_WRITTEN, parse(NIX_WRITTEN).render(StoreDir.DEFAULT));
    }

    @Test
    void fingerprint_withReferences_joinsFullPathsWithCommas() throws Exception {
        NarInfo info = parse(NIX_WRITTEN.replace("References: ", "References: 9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d 0c0hkwh2mxq2qr3bz04zcpcn26prgy4s-lib"));
        assertEquals("1;/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d;sha256:0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi;1264;"
                + "/nix/store/0c0hkwh2mxq2qr3bz04zcpcn26prgy4s-lib,/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d", info.fingerprint(StoreDir.DEFAULT));
    }

    @Test
    void parse_hostileNarinfo_isRejected() {
        assertBad(NIX_WRITTEN.replace("URL: nar/", "URL: ../../etc/"), "not a plain relative path");
        assertBad(NIX_WRITTEN.replace("URL: nar/", "URL: /etc/"), "not a relative path");
        assertBad(NIX_WRITTEN.replace("URL: nar/", "URL: file:///etc/"), "not a relative path");
        assertBad(NIX_WRITTEN.replace("NarSize: 1264", "NarSize: -1"), "is not a size");
        assertBad(NIX_WRITTEN.replace("NarSize: 1264\n", ""), "no NarSize field");
        assertBad(NIX_WRITTEN.replace("NarHash: sha256:0h", "NarHash: sha256:eh"), "NarHash");
        assertBad(NIX_WRITTEN.replace("StorePath: /nix/store/", "StorePath: /tmp/"), "is not in the store");
        assertBad(NIX_WRITTEN.replace("References: ", "References: ../../x"), "References");
        assertBad(NIX_WRITTEN + "garbage\n", "not \"Key: value\"");
    }

    private static void assertBad(String text, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void signAndVerify_nixKeyFormat_roundTripsAndRejectsTampering() throws Exception {
        SigningKey key = SigningKey.parse(newNixSecretKey("test-1"));
        NarInfo info = parse(NIX_WRITTEN);
        String sig = key.sign(info.fingerprint(StoreDir.DEFAULT));
        assertTrue(sig.startsWith("test-1:"));
        assertEquals(64, Base64.getDecoder().decode(sig.substring(7)).length);
        VerifyingKey pub = VerifyingKey.parse(key.publicKey().toString());
        assertTrue(pub.verify(info.fingerprint(StoreDir.DEFAULT), sig));
        assertFalse(pub.verify(info.fingerprint(StoreDir.DEFAULT).replace("1264", "1265"), sig));
        assertFalse(pub.verify(info.fingerprint(StoreDir.DEFAULT), sig.replace("test-1:", "other:")));
    }

    @Test
    void parse_secretKeyWithWrongPublicHalf_isRejected() throws Exception {
        byte[] a = Base64.getDecoder().decode(newNixSecretKey("k").substring(2));
        byte[] b = Base64.getDecoder().decode(newNixSecretKey("k").substring(2));
        System.arraycopy(b, 32, a, 32, 32);
        assertThrows(IllegalArgumentException.class, () -> SigningKey.parse("k:" + Base64.getEncoder().encodeToString(a)));
        assertThrows(IllegalArgumentException.class, () -> SigningKey.parse("k:AAAA"));
    }

    /** A fresh key in Nix's secret-key format: name:base64(seed || public key). */
    static String newNixSecretKey(String name) throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
        var point = ((EdECPublicKey) pair.getPublic()).getPoint();
        byte[] y = point.getY().toByteArray();
        byte[] pub = new byte[32];
        for (int i = 0; i < y.length && i < 32; i++) {
            pub[i] = y[y.length - 1 - i];
        }
        if (point.isXOdd()) {
            pub[31] |= (byte) 0x80;
        }
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, 32);
        System.arraycopy(pub, 0, secret, 32, 32);
        assertEquals(BigInteger.ONE.signum(), 1);
        return name + ":" + Base64.getEncoder().encodeToString(secret);
    }
}
