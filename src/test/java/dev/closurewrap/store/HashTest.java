package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HashTest {
    private static final Hash VECTOR = Hash.parse("sha256:" + Nix32Test.VECTOR_NIX32);

    @Test
    void parse_everyEncodingOfTheTestVector_givesTheSameHash() {
        assertEquals(VECTOR, Hash.parse("sha256:" + Nix32Test.VECTOR_SHA256));
        assertEquals(VECTOR, Hash.parse("sha256-0RHpKHA3TG4HYY/Xnpwm/uVrhGWXfQL+GhkL3KuAfEI="));
        assertEquals(VECTOR, Hash.parse("sha256:0RHpKHA3TG4HYY/Xnpwm/uVrhGWXfQL+GhkL3KuAfEI="));
        assertEquals(VECTOR, Hash.parse(HashAlgorithm.SHA256, Nix32Test.VECTOR_NIX32));
    }

    @Test
    void print_testVector_inNixFormats() {
        assertEquals("sha256:" + Nix32Test.VECTOR_NIX32, VECTOR.toString());
        assertEquals("sha256-0RHpKHA3TG4HYY/Xnpwm/uVrhGWXfQL+GhkL3KuAfEI=", VECTOR.toSri());
        assertEquals(Nix32Test.VECTOR_SHA256, VECTOR.toBase16());
    }

    @Test
    void parse_badHashes_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> Hash.parse(Nix32Test.VECTOR_NIX32));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("sha3:" + Nix32Test.VECTOR_NIX32));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("sha256:abc"));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("sha256:" + "g".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("sha256-AAAA"));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("md5:" + Nix32Test.VECTOR_NIX32));
    }
}
