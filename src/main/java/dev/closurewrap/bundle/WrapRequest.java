package dev.closurewrap.bundle;

import dev.closurewrap.plan.Mode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One wrap job as the command line asks for it.
 *
 * @param roots the ROOT arguments as given
 * @param mode relative or absolute
 * @param prefix absolute mode: where the store paths sit at run time (empty: the source store dir)
 * @param output the {@code -o} argument; empty only for a dry run
 * @param stateDir the checkpoint directory; empty for a job without checkpoints
 * @param dryRun plan only, write nothing
 * @param settings the configuration (jobs, levels, exclude...)
 * @param toolVersion written into the manifest
 */
public record WrapRequest(List<String> roots, Mode mode, Optional<Path> prefix, Optional<String> output,
                          Optional<Path> stateDir, boolean dryRun, WrapConfig settings, String toolVersion) {
    public WrapRequest {
        roots = List.copyOf(roots);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(toolVersion, "toolVersion");
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("a job needs at least one root");
        }
        if (!dryRun && output.isEmpty()) {
            throw new IllegalArgumentException("a job that writes needs an output");
        }
        if (prefix.isPresent() && mode != Mode.ABSOLUTE) {
            throw new IllegalArgumentException("--prefix is for absolute mode");
        }
        if (prefix.isPresent() && !prefix.get().isAbsolute()) {
            throw new IllegalArgumentException("--prefix must be an absolute path, got " + prefix.get());
        }
    }
}
