package dev.closurewrap.bundle;

import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.util.Optional;

/** Opens the sink an {@code -o} argument asks for. */
public final class Sinks {
    private Sinks() {}

    /**
     * Options every sink understands.
     *
     * @param durable fsync outputs before reporting them done (needed with a checkpoint store)
     * @param link directory output: hard-link unchanged files instead of copying them
     * @param level compression level; empty for the compressor's default
     * @param narWriters the NAR writer for {@code *.nar} outputs; empty until the {@code nar} package provides one
     */
    public record Options(boolean durable, boolean link, Optional<Integer> level,
                          Optional<NarTreeWriter.Factory> narWriters) {
        public static Options defaults() {
            return new Options(true, false, Optional.empty(), Optional.empty());
        }
    }

    /** Parses the form of {@code out}: see {@link OutputForm}. */
    public static OutputForm formOf(String out) {
        return OutputForm.parse(out);
    }

    public static OutputSink open(OutputForm form, Options options) throws IOException {
        if (form instanceof OutputForm.Directory dir) {
            return new DirectorySink(dir.path(), options.link(), options.durable());
        }
        if (form instanceof OutputForm.Tarball tar) {
            return new TarSink(tar.path(), tar.compression(),
                    options.level().orElse(tar.compression().defaultLevel()), options.durable());
        }
        if (form instanceof OutputForm.Nar nar) {
            if (options.narWriters().isEmpty()) {
                throw new UnsupportedInputException(nar.path().toString(), "NAR output needs the NAR writer, not yet built in");
            }
            return new NarSink(nar.path(), nar.compression(),
                    options.level().orElse(nar.compression().defaultLevel()), options.durable(), options.narWriters().get());
        }
        OutputForm.BinaryCache cache = (OutputForm.BinaryCache) form;
        throw new UnsupportedInputException("file://" + cache.directory(), "binary-cache output is not yet built in");
    }
}
