package dev.closurewrap.bundle;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.store.SigningKey;
import dev.closurewrap.store.StoreDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
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
     * @param narWriters the NAR writer for {@code *.nar} outputs; empty for {@link NarOutput}
     * @param storeDir binary-cache output: the store the paths belong to ({@code store-dir})
     * @param cacheCompression binary-cache output: how each NAR is compressed ({@code binary-cache-compression})
     * @param secretKeyFile binary-cache output: a Nix secret key to sign narinfo files with ({@code secret-key-file})
     */
    public record Options(boolean durable, boolean link, Optional<Integer> level,
                          Optional<NarTreeWriter.Factory> narWriters, Path storeDir, Compression cacheCompression,
                          Optional<Path> secretKeyFile) {
        public Options {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(narWriters, "narWriters");
            Objects.requireNonNull(storeDir, "storeDir");
            Objects.requireNonNull(cacheCompression, "cacheCompression");
            Objects.requireNonNull(secretKeyFile, "secretKeyFile");
            if (cacheCompression == Compression.GZIP) {
                throw new IllegalArgumentException("binary-cache NARs are compressed with xz, zstd or none, not gzip");
            }
        }

        /** Without the binary-cache settings: {@code /nix/store}, xz, unsigned. */
        public Options(boolean durable, boolean link, Optional<Integer> level, Optional<NarTreeWriter.Factory> narWriters) {
            this(durable, link, level, narWriters, Path.of("/nix/store"), Compression.XZ, Optional.empty());
        }

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
            return new NarSink(nar.path(), nar.compression(),
                    options.level().orElse(nar.compression().defaultLevel()), options.durable(),
                    options.narWriters().orElse(NarOutput.FACTORY));
        }
        OutputForm.BinaryCache cache = (OutputForm.BinaryCache) form;
        return new BinaryCacheSink(cache.directory(), new StoreDir(options.storeDir().toString()),
                narCompression(options.cacheCompression()), signingKey(options.secretKeyFile()), options.durable());
    }

    private static NarCompression narCompression(Compression c) {
        return switch (c) {
            case NONE -> NarCompression.NONE;
            case XZ -> NarCompression.XZ;
            case ZSTD -> NarCompression.ZSTD;
            case GZIP -> throw new IllegalArgumentException("gzip");
        };
    }

    private static Optional<SigningKey> signingKey(Optional<Path> file) throws IOException {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        String text = Files.readString(file.get(), StandardCharsets.UTF_8);
        try {
            return Optional.of(SigningKey.parse(text));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Nix secret key", file.get().toString(), BadInputException.NO_OFFSET,
                    e.getMessage());
        }
    }
}
