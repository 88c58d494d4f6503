package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;

/** SHA-256 and length of a NAR serialisation: what Nix calls NarHash and NarSize. */
public record NarDigest(ByteString sha256, long size) {
    public NarDigest {
        if (sha256.length() != 32) {
            throw new IllegalArgumentException("SHA-256 has 32 bytes, not " + sha256.length());
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }
}
