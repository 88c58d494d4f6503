package dev.closurewrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion for a test (a compiler, readelf, nix-store, a built program) and
 * returns what it printed. The one copy of this: stdin is empty, stdout and stderr are read at the
 * same time, and a command that does not finish in time is killed and reported.
 */
public final class Processes {
    /** Long enough for a cross compiler under load on a 2-core machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private Processes() {}

    /** What a finished process printed, and its exit code. */
    public record Output(int exitCode, String stdout, String stderr) {
        /** stdout then stderr, for failure messages. */
        public String both() {
            return stdout + stderr;
        }
    }

    /** Runs {@code command} in {@code dir} (null: this process's) with extra environment variables; any exit code is returned. */
    public static Output run(Path dir, Map<String, String> environment, Duration timeout, List<String> command)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        builder.environment().putAll(environment);
        Process process = builder.start();
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeout.toSeconds() + " s");
            }
            return new Output(process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command, e);
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + command, e.getCause());
        }
    }

    /** {@link #run(Path, Map, Duration, List)} with no extra environment and the default timeout. */
    public static Output run(Path dir, List<String> command) throws IOException {
        return run(dir, Map.of(), DEFAULT_TIMEOUT, command);
    }

    /** Runs {@code command} in {@code dir} and returns its stdout; a non-zero exit is an IOException with all it printed. */
    public static String check(Path dir, List<String> command) throws IOException {
        Output output = run(dir, command);
        if (output.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + output.exitCode() + ":\n"
                    + output.both().strip());
        }
        return output.stdout();
    }

    /** {@link #check(Path, List)} with the command as arguments. */
    public static String check(Path dir, String... command) throws IOException {
        return check(dir, List.of(command));
    }

    static CompletableFuture<String> drain(InputStream stream) {
        // A thread of its own per stream: on the common pool (one thread on two cores) stdout's
        // drain could wait behind stderr's while the process blocks on a full stderr pipe.
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> {
            Thread thread = new Thread(task, "process-drain");
            thread.setDaemon(true);
            thread.start();
        });
    }
}
