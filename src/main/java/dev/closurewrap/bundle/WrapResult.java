package dev.closurewrap.bundle;

import dev.closurewrap.plan.JobPlan;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a wrap job ended (the per-file outcomes went to the {@link ProgressListener}).
 *
 * @param plan the job's plan (what a dry run prints)
 * @param failed the files that could not be rewritten, with the reason; they were copied unchanged
 * @param reused files whose output came from the result index (same input, same plan, earlier work)
 * @param upToDate whether the job had already finished and nothing was written
 * @param sink what the sink wrote; empty for a dry run and an up-to-date job
 */
public record WrapResult(JobPlan plan, List<ProgressSummary.Failure> failed, long reused, boolean upToDate,
                         Optional<SinkSummary> sink) {
    public WrapResult {
        Objects.requireNonNull(plan, "plan");
        failed = List.copyOf(failed);
        Objects.requireNonNull(sink, "sink");
    }
}
