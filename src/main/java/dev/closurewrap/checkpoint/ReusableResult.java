package dev.closurewrap.checkpoint;

import dev.closurewrap.io.ByteString;
import java.util.Objects;

/**
 * A result already produced for the same input with the same plan (by this job or an earlier one
 * on the same state directory).
 *
 * @param outputHash the output content's SHA-256
 * @param path an output-tree path where that output was written; check its hash before copying from it
 */
public record ReusableResult(Sha256 outputHash, ByteString path) {
    public ReusableResult {
        Objects.requireNonNull(outputHash, "outputHash");
        Objects.requireNonNull(path, "path");
    }
}
