package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Nix32Test {
    static final String VECTOR_SHA256 = "d111e92870374c6e07618fd79e9c26fee56b8465977d02fe1a190bdcab807c42";
    static final String VECTOR_NIX32 = "0hkwh2mxq2qr3bz04zcpcn26prgy4sf9xmwgc43nwk1pf0lfj4fi";

    @Test
    void encode_testVectorSha256_givesFactsNarHash() {
        assertEquals(VECTOR_NIX32, Nix32.encode(HexFormat.of().parseHex(VECTOR_SHA256)));
    }

    @Test
    void decode_testVectorNarHash_givesSha256() {
        assertArrayEquals(HexFormat.of().parseHex(VECTOR_SHA256), Nix32.decode(VECTOR_NIX32, 32));
    }

    @Test
    void encodedLength_followsTheFormula() {
        assertEquals(32, Nix32.encodedLength(20));
        assertEquals(52, Nix32.encodedLength(32));
        assertEquals(103, Nix32.encodedLength(64));
        assertEquals(26, Nix32.encodedLength(16));
    }

    @Test
    void roundTrip_randomBytesOfEveryLength_decodeToTheSame() {
        Random random = new Random(1234);
        for (int round = 0; round < 5000; round++) {
            byte[] bytes = new byte[1 + random.nextInt(70)];
            random.nextBytes(bytes);
            String text = Nix32.encode(bytes);
            assertEquals(Nix32.encodedLength(bytes.length), text.length());
            assertArrayEquals(bytes, Nix32.decode(text, bytes.length), text);
        }
    }

    @Test
    void decode_badInput_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> Nix32.decode("e".repeat(32), 20)); // 'e' not in alphabet
        assertThrows(IllegalArgumentException.class, () -> Nix32.decode("0".repeat(31), 20));
        // 52 digits hold 260 bits: a top digit above 1 sets bits beyond 32 bytes
        assertThrows(IllegalArgumentException.class, () -> Nix32.decode("z" + "0".repeat(51), 32));
    }
}
