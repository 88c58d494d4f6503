package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorePathTest {
    @Test
    void makeSourcePath_testVector_givesWhatNixStoreAddGave() {
        StorePath p = StoreDir.DEFAULT.makeSourcePath(Hash.parse("sha256:" + Nix32Test.VECTOR_NIX32), List.of(), false, "d");
        assertEquals("/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d", StoreDir.DEFAULT.print(p));
    }

    @Test
    void makeSourcePath_otherStoreDir_givesOtherHash() {
        StorePath p = new StoreDir("/gnu/store").makeSourcePath(Hash.parse("sha256:" + Nix32Test.VECTOR_NIX32), List.of(), false, "d");
        assertEquals("d", p.name());
        assertEquals(false, p.hashPart().equals("9y8xlh370gxkf9ffi4f8l40k3fwsa3qa"));
    }

    @Test
    void parse_fullPath_splitsHashAndName() {
        StorePath p = StoreDir.DEFAULT.parse("/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-hello-2.12.1");
        assertEquals("9y8xlh370gxkf9ffi4f8l40k3fwsa3qa", p.hashPart());
        assertEquals("hello-2.12.1", p.name());
        assertEquals(20, p.hashBytes().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa",          // no name
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-",         // empty name
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qe-d",        // 'e' is no base-32 digit
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3q-d",         // short hash
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-a b",      // space
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-..",       // dot-dot
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-.-x",      // .- prefix
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d/bin/sh", // below a store path
        "/nix/storeX/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-d",       // other dir
        "/nix/store/9y8xlh370gxkf9ffi4f8l40k3fwsa3qa-é",        // non-ASCII
    })
    void parse_invalidPath_isRejected(String path) {
        assertThrows(IllegalArgumentException.class, () -> StoreDir.DEFAULT.parse(path));
    }

    @Test
    void name_longestAllowed_isAcceptedAndOneMoreIsNot() {
        String hash = "9y8xlh370gxkf9ffi4f8l40k3fwsa3qa";
        assertEquals(211, new StorePath(hash, "n".repeat(211)).name().length());
        assertThrows(IllegalArgumentException.class, () -> new StorePath(hash, "n".repeat(212)));
        assertEquals(".hidden", new StorePath(hash, ".hidden").name());
        assertEquals("a+b-c.d_e?f=g", new StorePath(hash, "a+b-c.d_e?f=g").name());
    }

    @Test
    void storeDir_nonCanonical_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StoreDir("nix/store"));
        assertThrows(IllegalArgumentException.class, () -> new StoreDir("/nix/store/"));
        assertThrows(IllegalArgumentException.class, () -> new StoreDir("/nix//store"));
        assertThrows(IllegalArgumentException.class, () -> new StoreDir("/nix/../store"));
    }

    @Test
    void xorFold_foldsEveryByteIntoItsSlot() {
        byte[] in = new byte[32];
        in[0] = 1;
        in[20] = 3;
        in[31] = 5;
        byte[] out = StoreDir.xorFold(in, 20);
        assertEquals(2, out[0]);
        assertEquals(5, out[11]);
    }
}
