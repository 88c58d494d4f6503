package dev.closurewrap.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** The state directory belongs to a different command; resuming it would mix two jobs' results. */
public final class JobMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient JobRecord stored;
    private final transient JobRecord requested;

    public JobMismatchException(Path stateDir, JobRecord stored, JobRecord requested) {
        super(stateDir + ": state directory holds another job (" + stored.describe() + "), not this one ("
                + requested.describe() + "); use another --state directory, or restart to discard its progress");
        this.stored = stored;
        this.requested = requested;
    }

    public JobRecord stored() {
        return stored;
    }

    public JobRecord requested() {
        return requested;
    }
}
