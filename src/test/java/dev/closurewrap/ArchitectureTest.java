package dev.closurewrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the package dependencies written in docs/architecture.md against the imports and
 * fully-qualified references in src/main/java. The table in the document is the source of truth:
 * change both together.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/closurewrap");
    private static final Path DOC = Path.of("docs/architecture.md");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.closurewrap\\.([a-z]+)\\.");
    private static final Pattern ALLOWED_ROW = Pattern.compile("^\\|\\s*`([a-z]+)`\\s*\\|\\s*([^|]*)\\|");

    @Test
    void packagesDependOnlyOnWhatTheArchitectureDocAllows() throws IOException {
        Map<String, Set<String>> allowed = allowedFromDoc();
        Map<String, Set<String>> actual = actualDependencies();
        List<String> violations = new ArrayList<>();
        actual.forEach((from, targets) -> {
            Set<String> ok = allowed.get(from);
            if (ok == null) {
                violations.add("package " + from + " is not listed in " + DOC);
                return;
            }
            for (String to : targets) {
                if (!to.equals(from) && !ok.contains(to)) {
                    violations.add(from + " -> " + to);
                }
            }
        });
        assertEquals(List.of(), violations, "dependencies not allowed by " + DOC);
    }

    @Test
    void allowedDependenciesHaveNoCycles() throws IOException {
        Map<String, Set<String>> allowed = allowedFromDoc();
        for (String start : allowed.keySet()) {
            assertTrue(!reaches(allowed, start, start, new TreeSet<>()), "cycle through " + start);
        }
    }

    @Test
    void onlyCliImportsPicocli_onlyCheckpointImportsRocksdb() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            String text = Files.readString(file);
            if (text.contains("picocli.") && !pkg.equals("cli")) {
                violations.add(file + " uses picocli");
            }
            if (text.contains("org.rocksdb") && !pkg.equals("checkpoint")) {
                violations.add(file + " uses RocksDB");
            }
        }
        assertEquals(List.of(), violations);
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String target, Set<String> seen) {
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next) && reaches(graph, next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Rows of the form {@code | `graph` | `io`, `elf`, `store` |} in docs/architecture.md. */
    static Map<String, Set<String>> allowedFromDoc() throws IOException {
        Map<String, Set<String>> allowed = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ALLOWED_ROW.matcher(line);
            if (m.find()) {
                Set<String> targets = new TreeSet<>();
                Matcher t = Pattern.compile("`([a-z]+)`").matcher(m.group(2));
                while (t.find()) {
                    targets.add(t.group(1));
                }
                allowed.put(m.group(1), targets);
            }
        }
        assertTrue(allowed.size() >= 10, "dependency table not found in " + DOC);
        return allowed;
    }

    private static Map<String, Set<String>> actualDependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        for (Path file : javaFiles()) {
            String from = packageOf(file);
            Set<String> targets = deps.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(Files.readString(file));
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return deps;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path file) {
        return SOURCES.relativize(file).getName(0).toString();
    }
}
