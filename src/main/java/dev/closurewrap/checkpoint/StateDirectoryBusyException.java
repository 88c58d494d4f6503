package dev.closurewrap.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Another closure-wrap job holds the state directory (RocksDB's lock on it): the user's situation,
 * not a fault; one job per state directory at a time.
 */
public final class StateDirectoryBusyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path stateDirectory;

    public StateDirectoryBusyException(Path stateDirectory, Throwable cause) {
        super(stateDirectory + ": another closure-wrap job holds this state directory; wait for it to end,"
                + " or give this job another --state directory", cause);
        this.stateDirectory = stateDirectory;
    }

    public Path stateDirectory() {
        return stateDirectory;
    }
}
