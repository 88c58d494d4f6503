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
 * @param inPlace absolute mode: edit the files of the one ROOT directory where they are (no output)
 * @param settings the configuration (jobs, levels, exclude...)
 * @param toolVersion written into the manifest
 */
public record WrapRequest(List<String> roots, Mode mode, Optional<Path> prefix, Optional<String> output,
                          Optional<Path> stateDir, boolean dryRun, boolean inPlace, WrapConfig settings,
                          String toolVersion) {
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
        if (inPlace && (mode != Mode.ABSOLUTE || roots.size() != 1 || output.isPresent())) {
            throw new IllegalArgumentException("--in-place takes --absolute, one ROOT directory and no -o");
        }
        if (!dryRun && !inPlace && output.isEmpty()) {
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
