package dev.closurewrap.checkpoint;

import java.time.Duration;
import java.util.Objects;

/**
 * How often the checkpoint log is forced to disk. Either way a record is written to the log (the
 * operating system's cache) before the call returns, so it survives {@code kill -9}; the policy
 * only decides how many of the newest records a power cut may take back. A lost record is redone,
 * never wrongly trusted: see {@link CheckpointStore}.
 *
 * @param recordsPerSync 1 forces every record; N forces the log after every N-th record and on close
 * @param maxDelay with N &gt; 1, a record also forces the log when the last force is at least this
 *     old (group commit: a slow job still syncs now and then); zero for no time bound
 */
public record SyncPolicy(int recordsPerSync, Duration maxDelay) {
    /** Every record is durable when its call returns (one fsync per file). */
    public static final SyncPolicy EVERY_RECORD = new SyncPolicy(1, Duration.ZERO);

    public SyncPolicy {
        if (recordsPerSync < 1) {
            throw new IllegalArgumentException("recordsPerSync must be at least 1, got " + recordsPerSync);
        }
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative, got " + maxDelay);
        }
    }

    /** The log is forced after every {@code n} records: a power cut redoes at most about n files. */
    public static SyncPolicy batched(int n) {
        return new SyncPolicy(n, Duration.ZERO);
    }

    /** Forced after every {@code n} records, and by the first record {@code maxDelay} or more after the last force. */
    public static SyncPolicy batched(int n, Duration maxDelay) {
        return new SyncPolicy(n, maxDelay);
    }
}
