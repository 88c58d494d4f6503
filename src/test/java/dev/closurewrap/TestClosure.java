package dev.closurewrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The real Nix test closure built by {@code integration/build-test-closure.sh}, for integration
 * tests: 36 store paths of real programs and libraries linked to each other by store path (see
 * {@code integration/README.md} for what each one demonstrates).
 *
 * <p>The script runs at most once per JVM, on first use; a second build is a no-op for Nix anyway.
 * Its log goes to {@code target/test-closure/build.log}. Every accessor throws an
 * {@link IOException} naming that log when the build failed, so each test that needs the closure
 * fails with the reason rather than being skipped.
 */
public final class TestClosure {
    private static final String SCRIPT = "integration/build-test-closure.sh";
    private static final long BUILD_TIMEOUT_MINUTES = 20;
    private static final long QUERY_TIMEOUT_SECONDS = 120;

    private static TestClosure built;
    private static IOException failure;

    private final Map<String, Path> packages;
    private final List<Path> roots;
    private final Path storeDir;
    private List<Path> closure;

    private TestClosure(Map<String, Path> packages, List<Path> roots, Path storeDir) {
        this.packages = Collections.unmodifiableMap(packages);
        this.roots = List.copyOf(roots);
        this.storeDir = storeDir;
    }

    /** Every package by name (glibc, curl, hello-musl, app, ...), each a store path. */
    public static Map<String, Path> packages() throws IOException {
        return get().packages;
    }

    /** The store path of one package; fails if the closure has no package of that name. */
    public static Path path(String name) throws IOException {
        Path path = get().packages.get(name);
        if (path == null) {
            throw new IOException("test closure has no package " + name + "; it has " + get().packages.keySet());
        }
        return path;
    }

    /** The top-level packages, whose closure is every package. */
    public static List<Path> roots() throws IOException {
        return get().roots;
    }

    /** {@code nix-store --query --requisites} of the roots: the whole closure, dependencies first. */
    public static synchronized List<Path> closure() throws IOException {
        TestClosure closure = get();
        if (closure.closure == null) {
            List<String> command = new ArrayList<>(List.of("nix-store", "--query", "--requisites"));
            closure.roots.forEach(root -> command.add(root.toString()));
            closure.closure = paths(run(command));
        }
        return closure.closure;
    }

    /** The directory the store paths sit in ({@code /nix/store}). */
    public static Path storeDir() throws IOException {
        return get().storeDir;
    }

    /** The references Nix registered for a store path ({@code nix-store --query --references}). */
    public static List<Path> references(Path storePath) throws IOException {
        return paths(run(List.of("nix-store", "--query", "--references", storePath.toString())));
    }

    /** Runs a command to completion and returns its stdout; a non-zero exit is an IOException. */
    public static String run(List<String> command) throws IOException {
        Output output = execute(command, Map.of());
        if (output.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + output.exitCode()
                    + ": " + output.stderr().strip());
        }
        return output.stdout();
    }

    /** What a finished process printed, and its exit code. */
    public record Output(int exitCode, String stdout, String stderr) {}

    /** Runs a command with extra environment variables; any exit code is returned, not thrown. */
    public static Output execute(List<String> command, Map<String, String> environment) throws IOException {
        Processes.Output output = Processes.run(null, environment, Duration.ofSeconds(QUERY_TIMEOUT_SECONDS), command);
        return new Output(output.exitCode(), output.stdout(), output.stderr());
    }

    private static synchronized TestClosure get() throws IOException {
        if (built == null && failure == null) {
            try {
                built = build();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new IOException("test closure unavailable: " + failure.getMessage(), failure);
        }
        return built;
    }

    private static TestClosure build() throws IOException {
        Path repo = findRepo();
        Path outDir = repo.resolve("target/test-closure");
        Files.createDirectories(outDir);
        Path log = outDir.resolve("build.log");

        ProcessBuilder builder = new ProcessBuilder("bash", repo.resolve(SCRIPT).toString())
                .directory(repo.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(log.toFile());
        builder.environment().put("TEST_CLOSURE_DIR", outDir.toString());
        Process process = builder.start();
        CompletableFuture<String> stdout = Processes.drain(process.getInputStream());
        try {
            if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(SCRIPT + " did not finish in " + BUILD_TIMEOUT_MINUTES + " minutes; log: " + log);
            }
            if (process.exitValue() != 0) {
                throw new IOException(SCRIPT + " exited with " + process.exitValue() + "; log: " + log
                        + "\n" + tail(log));
            }
            Map<String, Path> packages = parseTsv(stdout.get(), "stdout of " + SCRIPT);
            List<Path> roots = new ArrayList<>(parseTsv(Files.readString(outDir.resolve("roots.tsv")),
                    outDir.resolve("roots.tsv").toString()).values());
            return new TestClosure(packages, roots, commonStoreDir(packages));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the test closure", e);
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + SCRIPT, e.getCause());
        }
    }

    /** Maven runs tests in the project directory; walking up also finds it from a sub-directory. */
    private static Path findRepo() throws IOException {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(SCRIPT))) {
                return dir;
            }
        }
        throw new IOException("no " + SCRIPT + " in " + start + " or any directory above it");
    }

    private static Map<String, Path> parseTsv(String text, String source) throws IOException {
        Map<String, Path> entries = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length != 2 || fields[0].isEmpty() || !fields[1].startsWith("/")) {
                throw new IOException(source + ": expected \"<name>\\t<store path>\", got \"" + line + "\"");
            }
            if (entries.put(fields[0], Path.of(fields[1])) != null) {
                throw new IOException(source + ": package " + fields[0] + " listed twice");
            }
        }
        if (entries.isEmpty()) {
            throw new IOException(source + ": no packages listed");
        }
        return entries;
    }

    private static Path commonStoreDir(Map<String, Path> packages) throws IOException {
        Path storeDir = null;
        for (Path path : packages.values()) {
            Path parent = path.getParent();
            if (storeDir != null && !storeDir.equals(parent)) {
                throw new IOException("test closure paths lie in two stores: " + storeDir + " and " + parent);
            }
            storeDir = parent;
        }
        return storeDir;
    }

    private static List<Path> paths(String lines) {
        return lines.lines().filter(line -> !line.isBlank()).map(Path::of).toList();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
