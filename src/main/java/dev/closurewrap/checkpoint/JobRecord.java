package dev.closurewrap.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * What a state directory is for: the command that started the job. A different command on the same
 * state directory is detected by comparing {@link #identity()}.
 *
 * @param roots the ROOT arguments as given
 * @param mode {@code relative} or {@code absolute}
 * @param output the {@code -o} argument
 * @param optionsHash SHA-256 over every other option that changes the output (prefix, ...), computed by the caller
 * @param toolVersion the closure-wrap version that started the job (informative)
 * @param startedAtMillis when the job was first started (informative)
 */
public record JobRecord(List<String> roots, String mode, String output, Sha256 optionsHash,
                        String toolVersion, long startedAtMillis) {
    public JobRecord {
        roots = List.copyOf(roots);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(optionsHash, "optionsHash");
        Objects.requireNonNull(toolVersion, "toolVersion");
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("a job has at least one root");
        }
    }

    /** The part that must match for a state directory to be resumed: roots, mode, output, options. */
    public List<Object> identity() {
        return List.of(roots, mode, output, optionsHash);
    }

    public boolean sameJobAs(JobRecord other) {
        return identity().equals(other.identity());
    }

    /** One line for messages: {@code --relative /nix/store/...-foo -o foo.tar.zst (options sha256:12ab...)}. */
    public String describe() {
        return "--" + mode + " " + String.join(" ", roots) + " -o " + output
                + " (options " + optionsHash.hex().substring(0, 12) + "…)";
    }
}
