package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.Objects;

/** PT_INTERP: the segment and the path it names, without the terminating NUL. */
public record Interpreter(ProgramHeader segment, ByteString path) {
    public Interpreter {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(path, "path");
    }
}
