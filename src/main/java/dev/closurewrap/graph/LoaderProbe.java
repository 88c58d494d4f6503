package dev.closurewrap.graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asks a glibc loader how it searches: {@code ld.so --list-diagnostics} (glibc 2.33+) prints its
 * system directories, $LIB, $PLATFORM, active glibc-hwcaps subdirectories and hwcap bits. Only a
 * loader this machine can run answers; every other one gets {@link GlibcConfig#debian12()}.
 * Answers are remembered per interpreter path.
 */
public final class LoaderProbe {
    private static final long TIMEOUT_SECONDS = 10;
    private static final Map<String, GlibcConfig> PROBED = new ConcurrentHashMap<>();

    private LoaderProbe() {}

    public static GlibcConfig glibc(String interpreter) {
        return PROBED.computeIfAbsent(interpreter, LoaderProbe::probe);
    }

    private static GlibcConfig probe(String interpreter) {
        GlibcConfig fallback = GlibcConfig.debian12();
        var path = LoaderPaths.toPath(interpreter);
        if (!Files.isExecutable(path)) {
            return fallback;
        }
        try {
            Process process = new ProcessBuilder(path.toString(), "--list-diagnostics")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fallback;
            }
            if (process.exitValue() != 0) {
                return fallback;
            }
            return GlibcConfig.fromDiagnostics(new String(output, StandardCharsets.UTF_8), fallback);
        } catch (IOException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }
}
