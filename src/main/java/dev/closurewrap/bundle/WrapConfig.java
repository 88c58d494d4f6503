package dev.closurewrap.bundle;

import dev.closurewrap.checkpoint.SyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of a wrap job that do not come from its roots and mode: what {@link ConfigLoader}
 * reads from the configuration files, with the command-line flags applied last. Every key is
 * documented in {@code docs/configuration.md}; the shipped defaults are {@code config/closure-wrap.conf}.
 *
 * @param storeDir the store the closure lives in ({@code store-dir})
 * @param jobs parallel rewrites, at least 1 ({@code jobs}; {@code auto} is resolved by the loader)
 * @param stateDir where the checkpoint database goes without {@code --state}: a template with
 *     {@code ${output}} and {@code ${output-name}} ({@code state-dir})
 * @param gzipLevel {@code gzip-level}, 1–9
 * @param xzLevel {@code xz-level}, 0–9
 * @param zstdLevel {@code zstd-level}, 1–22
 * @param hardlink directory output: hard-link unchanged files ({@code hardlink})
 * @param syncOutput fsync outputs before a file counts as done ({@code sync-output})
 * @param checkpointSyncEvery force the checkpoint log after every N records ({@code checkpoint-sync-every})
 * @param exclude store-path-relative files never edited ({@code exclude})
 * @param hostLibraryDirs host mode: the loader's trusted directories, in order ({@code host-library-dirs})
 * @param progressLogInterval without a terminal, a progress line this often ({@code progress-log-interval})
 * @param cacheCompression {@code file://} output: how each NAR is compressed ({@code binary-cache-compression})
 * @param secretKeyFile {@code file://} output: the Nix secret key that signs narinfo files ({@code secret-key-files})
 */
public record WrapConfig(Path storeDir, int jobs, String stateDir, int gzipLevel, int xzLevel, int zstdLevel,
                         boolean hardlink, boolean syncOutput, int checkpointSyncEvery, PathGlobs exclude,
                         List<Path> hostLibraryDirs, Duration progressLogInterval, Compression cacheCompression,
                         Optional<Path> secretKeyFile, long stagedMaxBytes) {

    public WrapConfig {
        Objects.requireNonNull(storeDir, "storeDir");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(exclude, "exclude");
        Objects.requireNonNull(progressLogInterval, "progressLogInterval");
        hostLibraryDirs = List.copyOf(hostLibraryDirs);
        require(storeDir.isAbsolute(), "store-dir must be an absolute path, got " + storeDir);
        require(jobs >= 1, "jobs must be at least 1, got " + jobs);
        require(!stateDir.isBlank(), "state-dir must not be empty");
        require(gzipLevel >= 1 && gzipLevel <= 9, "gzip-level must be 1 to 9, got " + gzipLevel);
        require(xzLevel >= 0 && xzLevel <= 9, "xz-level must be 0 to 9, got " + xzLevel);
        require(zstdLevel >= 1 && zstdLevel <= 22, "zstd-level must be 1 to 22, got " + zstdLevel);
        require(checkpointSyncEvery >= 1, "checkpoint-sync-every must be at least 1, got " + checkpointSyncEvery);
        for (Path dir : hostLibraryDirs) {
            require(dir.isAbsolute(), "host-library-dirs must be absolute paths, got " + dir);
        }
        require(!progressLogInterval.isNegative() && !progressLogInterval.isZero(),
                "progress-log-interval must be positive, got " + progressLogInterval.toSeconds());
        Objects.requireNonNull(cacheCompression, "cacheCompression");
        Objects.requireNonNull(secretKeyFile, "secretKeyFile");
        require(cacheCompression != Compression.GZIP, "binary-cache-compression must be xz, zstd or none, got gzip");
        require(stagedMaxBytes >= 0, "staged-max-size must not be negative, got " + stagedMaxBytes);
    }

    /** Without the binary-cache settings (xz, unsigned) and with no limit on the staging directory. */
    public WrapConfig(Path storeDir, int jobs, String stateDir, int gzipLevel, int xzLevel, int zstdLevel,
                      boolean hardlink, boolean syncOutput, int checkpointSyncEvery, PathGlobs exclude,
                      List<Path> hostLibraryDirs, Duration progressLogInterval) {
        this(storeDir, jobs, stateDir, gzipLevel, xzLevel, zstdLevel, hardlink, syncOutput, checkpointSyncEvery,
                exclude, hostLibraryDirs, progressLogInterval, Compression.XZ, Optional.empty(), Long.MAX_VALUE);
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The compression level for {@code compression}; 0 for none. */
    public int level(Compression compression) {
        switch (compression) {
            case NONE:
                return 0;
            case GZIP:
                return gzipLevel;
            case XZ:
                return xzLevel;
            case ZSTD:
                return zstdLevel;
            default:
                throw new AssertionError(compression);
        }
    }

    /** What the sink for {@code form} is opened with (the NAR writer is the job's to add). */
    public Sinks.Options sinkOptions(OutputForm form) {
        Compression compression = Compression.NONE;
        if (form instanceof OutputForm.Tarball tar) {
            compression = tar.compression();
        } else if (form instanceof OutputForm.Nar nar) {
            compression = nar.compression();
        }
        Optional<Integer> level = compression == Compression.NONE ? Optional.empty() : Optional.of(level(compression));
        return new Sinks.Options(syncOutput, hardlink, level, Optional.empty(), storeDir, cacheCompression,
                secretKeyFile);
    }

    /** With checkpoint-sync-every above 1, the log is also forced by the first record this long after the last force. */
    public static final Duration CHECKPOINT_SYNC_DELAY = Duration.ofSeconds(1);

    public SyncPolicy checkpointSyncPolicy() {
        return SyncPolicy.batched(checkpointSyncEvery, CHECKPOINT_SYNC_DELAY);
    }

    /**
     * The checkpoint directory for {@code -o out} when no {@code --state} is given: {@link #stateDir}
     * with {@code ${output}} and {@code ${output-name}} filled in. A trailing slash of a directory
     * output does not put the state inside it.
     */
    public Path stateDirFor(String out) {
        Objects.requireNonNull(out, "out");
        String where = out.startsWith("file://") ? out.substring("file://".length()) : out;
        while (where.length() > 1 && where.endsWith("/")) {
            where = where.substring(0, where.length() - 1);
        }
        Path path = Path.of(where);
        String name = path.getFileName() == null ? where : path.getFileName().toString();
        return Path.of(stateDir.replace("${output}", where).replace("${output-name}", name));
    }

    /** Whether a file, given relative to its store path, is never to be edited. */
    public boolean excluded(String storePathRelative) {
        return exclude.matches(storePathRelative);
    }

    public WrapConfig withJobs(int n) {
        return new WrapConfig(storeDir, n, stateDir, gzipLevel, xzLevel, zstdLevel, hardlink, syncOutput,
                checkpointSyncEvery, exclude, hostLibraryDirs, progressLogInterval, cacheCompression, secretKeyFile,
                stagedMaxBytes);
    }

    public WrapConfig withHardlink(boolean link) {
        return new WrapConfig(storeDir, jobs, stateDir, gzipLevel, xzLevel, zstdLevel, link, syncOutput,
                checkpointSyncEvery, exclude, hostLibraryDirs, progressLogInterval, cacheCompression, secretKeyFile,
                stagedMaxBytes);
    }

    /** The configuration in the syntax of the files, one key a line: what {@code --show-config} prints. */
    public String toConfigText() {
        StringBuilder sb = new StringBuilder();
        line(sb, "store-dir", storeDir.toString());
        line(sb, "jobs", Integer.toString(jobs));
        line(sb, "state-dir", stateDir);
        line(sb, "gzip-level", Integer.toString(gzipLevel));
        line(sb, "xz-level", Integer.toString(xzLevel));
        line(sb, "zstd-level", Integer.toString(zstdLevel));
        line(sb, "hardlink", Boolean.toString(hardlink));
        line(sb, "sync-output", Boolean.toString(syncOutput));
        line(sb, "checkpoint-sync-every", Integer.toString(checkpointSyncEvery));
        line(sb, "exclude", String.join(" ", exclude.patterns()));
        line(sb, "host-library-dirs", String.join(" ", hostLibraryDirs.stream().map(Path::toString).toList()));
        line(sb, "progress-log-interval", Long.toString(progressLogInterval.toSeconds()));
        line(sb, "binary-cache-compression", cacheCompressionName(cacheCompression));
        line(sb, "secret-key-files", secretKeyFile.map(Path::toString).orElse(""));
        line(sb, "staged-max-size", sizeText(stagedMaxBytes));
        return sb.toString();
    }

    /** A size as {@code staged-max-size} takes it: {@code unlimited}, or bytes with the largest exact K, M, G or T suffix. */
    static String sizeText(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "unlimited";
        }
        String units = "KMGT";
        int unit = -1;
        long value = bytes;
        while (unit + 1 < units.length() && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return unit < 0 ? Long.toString(bytes) : value + String.valueOf(units.charAt(unit));
    }

    /** The word {@code binary-cache-compression} takes: Nix's names. */
    static String cacheCompressionName(Compression c) {
        return switch (c) {
            case NONE -> "none";
            case XZ -> "xz";
            case ZSTD -> "zstd";
            case GZIP -> "gzip";
        };
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ").append(value).append('\n');
    }
}
