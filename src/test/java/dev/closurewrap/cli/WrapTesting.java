package dev.closurewrap.cli;

import dev.closurewrap.TestClosure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Shared by the wrap job's integration tests: running the command, comparing trees, counting failed lookups. */
final class WrapTesting {
    private WrapTesting() {}

    record Result(int code, String out, String err) {}

    /** Runs closure-wrap in this JVM with an empty configuration (2 cores) and returns what it printed. */
    static Result run(String... args) {
        WrapCommand command = new WrapCommand();
        command.loader = new dev.closurewrap.bundle.ConfigLoader(Optional.empty(), Optional.empty(), 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                command, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The roots of the test closure as arguments. */
    static List<String> roots() throws IOException {
        return TestClosure.roots().stream().map(Path::toString).toList();
    }

    static String[] args(List<String> first, List<String> roots) {
        List<String> all = new ArrayList<>(first);
        all.addAll(roots);
        return all.toArray(String[]::new);
    }

    /**
     * Every entry below {@code root} with what identifies it: type, mode and content hash (files) or
     * target (symlinks). Two trees are the same output when these maps are equal.
     */
    static Map<String, String> describeTree(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.toList();
        }
        for (Path p : all) {
            String name = root.relativize(p).toString();
            if (Files.isSymbolicLink(p)) {
                entries.put(name, "link " + Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                entries.put(name, "dir");
            } else {
                Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                entries.put(name, "file " + Integer.toOctalString((Integer) mode & 07777) + " " + sha256(p));
            }
        }
        return entries;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A library-looking basename: {@code libfoo.so}, {@code libfoo.so.1.2}, {@code ld-linux-x86-64.so.2}. */
    private static final Pattern LIBRARY = Pattern.compile("\"[^\"]*/(lib[^/\"]*\\.so(\\.[^/\"]*)?|ld-[^/\"]*\\.so[^/\"]*|glibc-hwcaps[^\"]*)\"");

    /**
     * Failed lookups of libraries in an strace log ({@code -e trace=openat,open,stat,newfstatat,access}),
     * from the first line matching {@code after} on (all lines when null), not counting
     * {@code /etc/ld.so.preload}, which glibc probes once per process whatever the program.
     */
    static List<String> failedLibraryLookups(Path trace, String after) throws IOException {
        List<String> failed = new ArrayList<>();
        boolean on = after == null;
        for (String line : Files.readAllLines(trace, StandardCharsets.ISO_8859_1)) {
            if (!on) {
                on = line.contains(after);
                continue;
            }
            if (line.contains("ENOENT") && !line.contains("/etc/ld.so.preload") && LIBRARY.matcher(line).find()) {
                failed.add(line);
            }
        }
        if (!on) {
            throw new AssertionError(trace + " has no line with " + after);
        }
        return failed;
    }

    /** The host's library directory, hidden in the mount-namespace runs. */
    static final String HOST_LIBS = "/usr/lib/x86_64-linux-gnu";
    /** The strace line that hides the host's libraries: lookups before it do not count. */
    static final String HOST_LIBS_HIDDEN = "\"" + HOST_LIBS + "\", NULL, MS_BIND";

    /**
     * The start of a script for a private mount namespace. dash (which runs launcher scripts) and
     * head (app-info pipes into it) are dynamically linked: the static busybox takes their place.
     * Then the host's libraries are hidden, and the store when {@code hideStore}.
     */
    static StringBuilder hidingScript(Path dir, boolean hideStore) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        StringBuilder script = new StringBuilder()
                .append("set -e\n")
                .append("mount --make-rprivate /\n")
                .append("mount --bind /bin/busybox /usr/bin/dash\n")
                .append("mount --bind /bin/busybox /usr/bin/head\n");
        if (hideStore) {
            script.append("mount --bind '").append(empty).append("' /nix/store\n");
        }
        return script.append("mount --bind '").append(empty).append("' ").append(HOST_LIBS).append("\n")
                .append("set +e\n");
    }

    /** Runs the script (from {@link #hidingScript}) in a private mount namespace under strace; returns the trace. */
    static Path runHidden(Path dir, CharSequence script) throws IOException {
        Path scriptFile = Files.writeString(dir.resolve("hidden.sh"), script + "exit 0\n");
        Path trace = dir.resolve("trace");
        TestClosure.Output o = TestClosure.execute(List.of("strace", "-f", "-o", trace.toString(),
                "-e", "trace=openat,open,stat,newfstatat,access,mount",
                "unshare", "-m", "/bin/busybox", "sh", scriptFile.toString()), Map.of());
        if (o.exitCode() != 0) {
            throw new AssertionError("hidden run failed: " + o.stderr());
        }
        return trace;
    }

    /** Script lines that run each program with {@code --version}, keeping its output and exit code in {@code results}. */
    static void appendVersionRuns(StringBuilder script, Map<String, Path> programs, Path results) {
        programs.forEach((name, program) -> script
                .append("'").append(program).append("' --version > '").append(results.resolve(name + ".out"))
                .append("' 2>&1\n")
                .append("echo $? > '").append(results.resolve(name + ".rc")).append("'\n"));
    }

    /** The programs whose kept run exited non-zero or printed other than {@code expected}, after {@code normalise}. */
    static List<String> versionMismatches(Map<String, String> expected, Path results, UnaryOperator<String> normalise)
            throws IOException {
        List<String> failures = new ArrayList<>();
        for (String program : expected.keySet()) {
            String rc = Files.readString(results.resolve(program + ".rc")).strip();
            String got = normalise.apply(Files.readString(results.resolve(program + ".out")));
            if (!rc.equals("0") || !got.equals(expected.get(program))) {
                failures.add(program + " (exit " + rc + "):\n--- expected\n" + expected.get(program) + "--- got\n" + got);
            }
        }
        return failures;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        TestClosure.run(List.of("rm", "-rf", root.toString()));
    }
}
