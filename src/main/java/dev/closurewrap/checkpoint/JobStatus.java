package dev.closurewrap.checkpoint;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a job stands, for {@code closure-wrap status}.
 *
 * @param job the job record, empty for a state directory with no job yet
 * @param finished whether the job ran to its end (every file recorded and the output committed)
 * @param counts files per state; every state is present
 * @param failures the first failed files (at most the limit asked for)
 * @param reusableResults entries in the cross-job result index
 */
public record JobStatus(Optional<JobRecord> job, boolean finished, Map<FileState.Kind, Long> counts,
                        List<FileRecord> failures, long reusableResults) {
    public JobStatus {
        EnumMap<FileState.Kind, Long> all = new EnumMap<>(FileState.Kind.class);
        for (FileState.Kind kind : FileState.Kind.values()) {
            all.put(kind, counts.getOrDefault(kind, 0L));
        }
        counts = java.util.Collections.unmodifiableMap(all);
        failures = List.copyOf(failures);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(FileState.Kind kind) {
        return counts.get(kind);
    }
}
