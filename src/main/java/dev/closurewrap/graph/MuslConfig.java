package dev.closurewrap.graph;

import java.util.Objects;
import java.util.Optional;

/**
 * How a musl loader searches beyond RPATH/RUNPATH.
 *
 * @param arch         the {@code LDSO_ARCH} in {@code etc/ld-musl-<arch>.path} ({@code x86_64})
 * @param defaultPath  the path used when that file does not exist
 * @param libraryPath  {@code LD_LIBRARY_PATH}, if set
 */
public record MuslConfig(String arch, String defaultPath, Optional<String> libraryPath) {
    public MuslConfig {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(defaultPath, "defaultPath");
        Objects.requireNonNull(libraryPath, "libraryPath");
    }

    public static MuslConfig x86_64() {
        return new MuslConfig("x86_64", "/lib:/usr/local/lib:/usr/lib", Optional.empty());
    }
}
