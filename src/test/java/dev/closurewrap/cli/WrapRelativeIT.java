package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code closure-wrap --relative} on the real test closure (roots app and file): the bundle is moved,
 * then run with {@code /nix/store} and the host's libraries hidden (facts.md, "Testing relocation"):
 * every program of the roots runs through its launcher and prints what the original prints, and
 * strace sees no failed library lookup.
 */
class WrapRelativeIT {
    private static final String HOST_LIBS = "/usr/lib/x86_64-linux-gnu";

    @TempDir
    Path dir;

    @Test
    void relative_movedBundle_withStoreAndHostLibrariesHidden_runsEveryProgram_withNoFailedLibraryLookup()
            throws IOException {
        Path out = dir.resolve("bundle");
        WrapTesting.Result r = WrapTesting.run(WrapTesting.args(List.of("--relative", "-o", out.toString()), WrapTesting.roots()));
        assertEquals(0, r.code(), r.err());

        Path moved = dir.resolve("elsewhere/app bundle");
        Files.createDirectories(moved.getParent());
        Files.move(out, moved);
        // verify, from where the bundle is now, finds every library inside it.
        WrapTesting.Result verified = WrapTesting.run("verify", moved.toString());
        assertEquals(0, verified.code(), verified.out() + verified.err());

        // Every program in the roots' bin/ has a launcher.
        Map<String, Path> originals = new TreeMap<>();
        for (Path root : TestClosure.roots()) {
            try (Stream<Path> bin = Files.list(root.resolve("bin"))) {
                bin.filter(p -> !p.getFileName().toString().startsWith("."))
                        .forEach(p -> originals.putIfAbsent(p.getFileName().toString(), p));
            }
        }
        TreeSet<String> launchers = new TreeSet<>();
        try (Stream<Path> bin = Files.list(moved.resolve("bin"))) {
            bin.forEach(p -> launchers.add(p.getFileName().toString()));
        }
        assertEquals(originals.keySet(), launchers);
        assertTrue(launchers.containsAll(List.of("curl", "hello-musl", "app-info", "app-busybox", "file")), launchers.toString());

        // What the originals print, from the store.
        Map<String, String> expected = new TreeMap<>();
        for (Map.Entry<String, Path> e : originals.entrySet()) {
            TestClosure.Output o = TestClosure.execute(List.of(e.getValue().toString(), "--version"), Map.of());
            assertEquals(0, o.exitCode(), e.getKey() + ": " + o.stderr());
            expected.put(e.getKey(), normalise(o.stdout() + o.stderr(), moved));
        }

        // The same programs from the moved bundle, inside a mount namespace without the store and host libraries.
        Path results = Files.createDirectories(dir.resolve("results"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        StringBuilder script = new StringBuilder()
                .append("set -e\n")
                .append("mount --make-rprivate /\n")
                // dash is dynamically linked: the static busybox takes its place so launcher scripts still start.
                .append("mount --bind /bin/busybox /usr/bin/dash\n")
                // app-info pipes into the host's head, dynamically linked too.
                .append("mount --bind /bin/busybox /usr/bin/head\n")
                .append("mount --bind '").append(empty).append("' /nix/store\n")
                .append("mount --bind '").append(empty).append("' ").append(HOST_LIBS).append("\n")
                .append("set +e\n");
        for (String program : launchers) {
            script.append("'").append(moved.resolve("bin").resolve(program)).append("' --version > '")
                    .append(results.resolve(program + ".out")).append("' 2>&1\n")
                    .append("echo $? > '").append(results.resolve(program + ".rc")).append("'\n");
        }
        Path scriptFile = Files.writeString(dir.resolve("hidden.sh"), script);
        Path trace = dir.resolve("trace");
        TestClosure.Output o = TestClosure.execute(List.of("strace", "-f", "-o", trace.toString(),
                "-e", "trace=openat,open,stat,newfstatat,access,mount",
                "unshare", "-m", "/bin/busybox", "sh", scriptFile.toString()), Map.of());
        assertEquals(0, o.exitCode(), o.stderr());

        List<String> failures = new ArrayList<>();
        for (String program : launchers) {
            String rc = Files.readString(results.resolve(program + ".rc")).strip();
            String got = normalise(Files.readString(results.resolve(program + ".out")), moved);
            if (!rc.equals("0") || !got.equals(expected.get(program))) {
                failures.add(program + " (exit " + rc + "):\n--- expected\n" + expected.get(program) + "--- got\n" + got);
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(expected.get("hello-musl").contains("hello from musl via libgreet 1"), expected.get("hello-musl"));
        assertTrue(expected.get("curl").startsWith("curl 7."), expected.get("curl"));

        List<String> failed = WrapTesting.failedLibraryLookups(trace, "\"" + HOST_LIBS + "\", NULL, MS_BIND");
        assertEquals(List.of(), failed, "failed library lookups with the store hidden");
    }

    @Test
    void failedLibraryLookups_seesTheStatStormOfTheOriginal() throws IOException {
        // The counter is not blind: the original curl searches its RUNPATH (the stat storm).
        Path trace = dir.resolve("trace");
        TestClosure.Output o = TestClosure.execute(List.of("strace", "-f", "-o", trace.toString(),
                "-e", "trace=openat,open,stat,newfstatat,access",
                TestClosure.path("curl").resolve("bin/curl").toString(), "--version"), Map.of());
        assertEquals(0, o.exitCode(), o.stderr());
        assertFalse(WrapTesting.failedLibraryLookups(trace, null).isEmpty());
    }

    @Test
    void dryRun_json_printsEveryPlan_andWritesNothing() throws IOException {
        Path out = dir.resolve("never");
        WrapTesting.Result r = WrapTesting.run(WrapTesting.args(List.of("--relative", "--dry-run", "--json", "-q",
                "-o", out.toString()), WrapTesting.roots()));
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(Path.of(out + ".closure-wrap-state")));
        com.fasterxml.jackson.databind.JsonNode plan = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("relative", plan.get("mode").asText());
        Map<String, com.fasterxml.jackson.databind.JsonNode> byTarget = new TreeMap<>();
        plan.get("files").forEach(f -> byTarget.put(f.get("target").asText(), f.get("action")));
        String curl = "store/" + TestClosure.path("curl").getFileName() + "/bin/";
        assertEquals("exec-shim", byTarget.get(curl + "curl").get("kind").asText());
        com.fasterxml.jackson.databind.JsonNode edits = byTarget.get(curl + ".curl-real").get("edits");
        assertEquals("set-needed", edits.get(0).get("edit").asText());
        assertTrue(edits.get(0).get("names").get(0).asText().startsWith("$ORIGIN/../../"), edits.toString());
        assertEquals("launcher", byTarget.get("bin/curl").get("kind").asText());
        assertEquals("copy", byTarget.get("store/" + TestClosure.path("glibc").getFileName() + "/lib/ld-linux-x86-64.so.2")
                .get("kind").asText());
    }

    /** Store paths print differently from the store and from the bundle. */
    private static String normalise(String text, Path bundle) {
        return text.replace(bundle.resolve("store").toString(), "STORE").replace("/nix/store", "STORE");
    }
}
