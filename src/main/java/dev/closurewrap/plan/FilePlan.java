package dev.closurewrap.plan;

import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The plan for one output entry.
 *
 * @param target the entry's path in the output tree: {@code store/<hash>-<name>/...}, {@code bin/<program>}
 * @param source the input file, for actions that have one ({@link Action#hasInput()})
 * @param inputSha256 the input's SHA-256 as the scan computed it (hex), for actions that have an input
 * @param size the input's size in bytes (0 without input)
 * @param executable whether the output file is executable (mode 0555 rather than 0444)
 * @param action what the entry is made of
 */
public record FilePlan(ByteString target, Optional<Path> source, Optional<String> inputSha256, long size,
                       boolean executable, Action action) {
    public FilePlan {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(inputSha256, "inputSha256");
        Objects.requireNonNull(action, "action");
        if (action.hasInput() != source.isPresent() || source.isPresent() != inputSha256.isPresent()) {
            throw new IllegalArgumentException(target + ": a " + action.kind() + " plan "
                    + (action.hasInput() ? "needs" : "takes no") + " input");
        }
        if (target.length() == 0 || target.byteAt(0) == '/') {
            throw new IllegalArgumentException("target must be a relative path: " + target);
        }
    }

    /** A regular file in the output (not a directory or symlink). */
    public boolean isFile() {
        return !(action instanceof Action.Directory) && !(action instanceof Action.Symlink);
    }

    /** The plan hash: SHA-256 (hex) of the action's canonical JSON, with the rewriter's version. */
    public String planSha256() {
        return PlanJson.actionHash(action);
    }
}
