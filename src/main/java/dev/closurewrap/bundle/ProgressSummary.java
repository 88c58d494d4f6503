package dev.closurewrap.bundle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole job, at its end: what {@code --json} prints.
 *
 * @param duration from the first phase's start to now
 * @param files files by outcome, every outcome present
 * @param failures every failed file, in the order reported
 * @param bytes input bytes of every file reported
 * @param phases each phase run, in order, with its duration
 * @param warnings the warnings reported
 */
public record ProgressSummary(Duration duration, Map<ProgressListener.Outcome, Long> files, List<Failure> failures,
                              long bytes, List<PhaseTime> phases, List<String> warnings) {
    public ProgressSummary {
        Objects.requireNonNull(duration, "duration");
        files = Map.copyOf(files);
        failures = List.copyOf(failures);
        phases = List.copyOf(phases);
        warnings = List.copyOf(warnings);
    }

    public record Failure(String path, String reason) {
        public Failure {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** @param duration empty for a phase not finished (the job stopped in it) */
    public record PhaseTime(ProgressListener.Phase phase, java.util.Optional<Duration> duration) {
        public PhaseTime {
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** Files that ended well, all outcomes together. */
    public long filesDone() {
        return files.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(ProgressListener.Outcome outcome) {
        return files.getOrDefault(outcome, 0L);
    }
}
