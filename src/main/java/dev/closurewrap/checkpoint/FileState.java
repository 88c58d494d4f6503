package dev.closurewrap.checkpoint;

import java.util.Objects;

/** Where one output file stands. A closed set: the job handles every case. */
public sealed interface FileState {
    /** The kind of state, for counting and for the status report. */
    Kind kind();

    enum Kind {
        /** Planned, not yet written (or written but not yet recorded: it will be redone). */
        PENDING,
        /** Rewritten; the output with {@link Done#outputHash} is durable. */
        DONE,
        /** Needed no change; copied byte for byte (output hash = input hash), durable. */
        COPIED_UNCHANGED,
        /** Could not be rewritten; the job went on. */
        FAILED
    }

    record Pending() implements FileState {
        @Override
        public Kind kind() {
            return Kind.PENDING;
        }
    }

    record Done(Sha256 outputHash) implements FileState {
        public Done {
            Objects.requireNonNull(outputHash, "outputHash");
        }

        @Override
        public Kind kind() {
            return Kind.DONE;
        }
    }

    record CopiedUnchanged() implements FileState {
        @Override
        public Kind kind() {
            return Kind.COPIED_UNCHANGED;
        }
    }

    record Failed(String reason) implements FileState {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Kind kind() {
            return Kind.FAILED;
        }
    }

    /** Whether the output is complete and durable, so a resumed run may skip the file. */
    default boolean isFinished() {
        return this instanceof Done || this instanceof CopiedUnchanged;
    }
}
