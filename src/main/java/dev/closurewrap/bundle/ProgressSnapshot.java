package dev.closurewrap.bundle;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the job stands at one instant, as {@link ProgressTracker#snapshot} computes it.
 *
 * @param phase the phase running or last run; empty before the first
 * @param running whether {@code phase} is still running
 * @param filesDone files the phase has reported, failed ones included
 * @param expectedFiles files the phase expects, or {@link ProgressListener#UNKNOWN}
 * @param bytesDone input bytes of those files
 * @param expectedBytes input bytes the phase expects, or {@link ProgressListener#UNKNOWN}
 * @param bytesPerSecond bytes actually processed (resumed files left out) per second of the phase
 * @param eta time left at that rate; empty when the total or the rate is not known
 * @param phaseElapsed time since the phase started (to its end, once finished)
 * @param elapsed time since the first phase started
 * @param failed files failed in the whole job so far
 */
public record ProgressSnapshot(Optional<ProgressListener.Phase> phase, boolean running, long filesDone,
                               long expectedFiles, long bytesDone, long expectedBytes, double bytesPerSecond,
                               Optional<Duration> eta, Duration phaseElapsed, Duration elapsed, long failed) {

    /** The fraction done, 0 to 1, by bytes when their total is known, else by files; empty if neither is. */
    public Optional<Double> fraction() {
        if (expectedBytes > 0) {
            return Optional.of(Math.min(1.0, (double) bytesDone / expectedBytes));
        }
        if (expectedFiles > 0) {
            return Optional.of(Math.min(1.0, (double) filesDone / expectedFiles));
        }
        if (expectedFiles == 0 || expectedBytes == 0) {
            return Optional.of(1.0);
        }
        return Optional.empty();
    }
}
