package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Map<String, Path> bundled = new TreeMap<>();
        launchers.forEach(program -> bundled.put(program, moved.resolve("bin").resolve(program)));
        StringBuilder script = WrapTesting.hidingScript(dir, true);
        WrapTesting.appendVersionRuns(script, bundled, results);
        Path trace = WrapTesting.runHidden(dir, script);
        assertEquals(List.of(), WrapTesting.versionMismatches(expected, results, text -> normalise(text, moved)));
        assertTrue(expected.get("hello-musl").contains("hello from musl via libgreet 1"), expected.get("hello-musl"));
        assertTrue(expected.get("curl").startsWith("curl 7."), expected.get("curl"));

        List<String> failed = WrapTesting.failedLibraryLookups(trace, WrapTesting.HOST_LIBS_HIDDEN);
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
