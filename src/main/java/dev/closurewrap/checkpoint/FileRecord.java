package dev.closurewrap.checkpoint;

import dev.closurewrap.io.ByteString;
import java.util.Objects;

/**
 * One output file's checkpoint.
 *
 * @param path the file's path inside the output tree, as bytes ({@code store/<hash>-<name>/lib/libz.so.1})
 * @param inputHash SHA-256 of the input file's content
 * @param planHash SHA-256 of the file's rewrite plan (its canonical serialisation)
 * @param state where the file stands
 */
public record FileRecord(ByteString path, Sha256 inputHash, Sha256 planHash, FileState state) {
    public FileRecord {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(inputHash, "inputHash");
        Objects.requireNonNull(planHash, "planHash");
        Objects.requireNonNull(state, "state");
        if (path.length() == 0) {
            throw new IllegalArgumentException("empty path");
        }
    }

    /** Whether this record says the same input with the same plan is already finished. */
    public boolean isFinishedFor(Sha256 input, Sha256 plan) {
        return state.isFinished() && inputHash.equals(input) && planHash.equals(plan);
    }

    /** The output's hash when finished: the rewrite's for DONE, the input's for COPIED_UNCHANGED. */
    public java.util.Optional<Sha256> outputHash() {
        if (state instanceof FileState.Done done) {
            return java.util.Optional.of(done.outputHash());
        }
        if (state instanceof FileState.CopiedUnchanged) {
            return java.util.Optional.of(inputHash);
        }
        return java.util.Optional.empty();
    }
}
