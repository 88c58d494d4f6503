package dev.closurewrap.checkpoint;

/**
 * How often the checkpoint log is forced to disk. Either way a record is written to the log (the
 * operating system's cache) before the call returns, so it survives {@code kill -9}; the policy
 * only decides how many of the newest records a power cut may take back. A lost record is redone,
 * never wrongly trusted: see {@link CheckpointStore}.
 *
 * @param recordsPerSync 1 forces every record; N forces the log after every N-th record and on close
 */
public record SyncPolicy(int recordsPerSync) {
    /** Every record is durable when its call returns (one fsync per file). */
    public static final SyncPolicy EVERY_RECORD = new SyncPolicy(1);

    public SyncPolicy {
        if (recordsPerSync < 1) {
            throw new IllegalArgumentException("recordsPerSync must be at least 1, got " + recordsPerSync);
        }
    }

    /** The log is forced after every {@code n} records: a power cut redoes at most about n files. */
    public static SyncPolicy batched(int n) {
        return new SyncPolicy(n);
    }
}
