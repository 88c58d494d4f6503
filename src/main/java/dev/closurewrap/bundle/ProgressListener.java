package dev.closurewrap.bundle;

import java.util.List;
import java.util.Locale;

/**
 * What the wrap job reports while it runs. The job only emits; the command line renders (a bar on
 * a terminal, log lines otherwise, JSON at the end). Implementations must be thread-safe: files are
 * reported from every worker thread. Phases run one after another, each started before its files are
 * reported and finished after.
 *
 * <p>Each file is reported once per job, by {@link #fileDone} or {@link #fileFailed}, in the phase that
 * finishes it.
 */
public interface ProgressListener {
    /** A count the job does not know yet (files before the scan is over). */
    long UNKNOWN = -1;

    /** The stages of the job, in the order they run. */
    enum Phase {
        /** Read the roots and classify every file. */
        SCAN,
        /** Resolve every DT_NEEDED. */
        GRAPH,
        /** Decide every file's rewrite. */
        PLAN,
        /** Apply the plans. */
        REWRITE,
        /** Finish the output: launchers, manifest, archive trailer. */
        WRITE;

        /** {@code rewrite}: how the phase is named to people. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a file that did not fail ended. */
    enum Outcome {
        /** Edited and written. */
        REWRITTEN,
        /** Needed no change; copied byte for byte (or hard-linked). */
        UNCHANGED,
        /** Finished by an earlier run of the same job: the checkpoint store says so. */
        RESUMED,
        /** Matched an {@code exclude} pattern; copied byte for byte without being looked at. */
        EXCLUDED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param expectedFiles files the phase will report, or {@link #UNKNOWN}
     * @param expectedBytes their bytes, or {@link #UNKNOWN}
     */
    void phaseStarted(Phase phase, long expectedFiles, long expectedBytes);

    void phaseFinished(Phase phase);

    /** @param bytes the file's input size */
    void fileDone(String path, long bytes, Outcome outcome);

    /** The file could not be handled; the job goes on (exit code 1 at the end). */
    void fileFailed(String path, long bytes, String reason);

    /** Something the user should know that is not a file's failure (relative mode and setuid programs). */
    void warning(String message);

    /** Reports to nobody. */
    ProgressListener NONE = all(List.of());

    /** Reports every event to each of {@code listeners}, in order. */
    static ProgressListener all(List<? extends ProgressListener> listeners) {
        List<ProgressListener> copy = List.copyOf(listeners);
        return new ProgressListener() {
            @Override
            public void phaseStarted(Phase phase, long expectedFiles, long expectedBytes) {
                copy.forEach(l -> l.phaseStarted(phase, expectedFiles, expectedBytes));
            }

            @Override
            public void phaseFinished(Phase phase) {
                copy.forEach(l -> l.phaseFinished(phase));
            }

            @Override
            public void fileDone(String path, long bytes, Outcome outcome) {
                copy.forEach(l -> l.fileDone(path, bytes, outcome));
            }

            @Override
            public void fileFailed(String path, long bytes, String reason) {
                copy.forEach(l -> l.fileFailed(path, bytes, reason));
            }

            @Override
            public void warning(String message) {
                copy.forEach(l -> l.warning(message));
            }
        };
    }
}
