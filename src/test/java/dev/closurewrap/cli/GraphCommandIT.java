package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code closure-wrap graph} on the real test closure and on host programs. */
class GraphCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<String> roots() throws IOException {
        return TestClosure.roots().stream().map(Path::toString).toList();
    }

    private static JsonNode json(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("graph", "--format", "json"));
        args.addAll(List.of(extra));
        args.addAll(roots());
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    private static JsonNode program(JsonNode graph, String path) {
        for (JsonNode p : graph.get("programs")) {
            if (p.get("path").asText().equals(path)) {
                return p;
            }
        }
        throw new AssertionError("no program " + path);
    }

    @Test
    void json_testClosure_membersAreNixsClosureAndNothingIsUnresolved() throws IOException {
        JsonNode graph = json();
        Set<String> members = new TreeSet<>();
        graph.get("members").forEach(m -> members.add(m.get("path").asText()));
        Set<String> nix = new TreeSet<>(TestClosure.closure().stream().map(Path::toString).toList());
        assertEquals(nix, members);
        assertEquals("nix database", graph.get("origin").asText());
        assertEquals(0, graph.get("unresolved").size(), graph.get("unresolved").toString());
        assertEquals(graph.get("summary").get("edges").asInt(), graph.get("edges").size());
    }

    @Test
    void json_curl_loadOrderIsTheLoadersAndTheStormDisappears() throws IOException {
        JsonNode graph = json();
        String curl = TestClosure.path("curl") + "/bin/curl";
        JsonNode program = program(graph, curl);
        // The loader's own listing, as canonical paths.
        TestClosure.Output trace = TestClosure.execute(List.of(curl), Map.of("LD_TRACE_LOADED_OBJECTS", "1"));
        List<String> expected = new ArrayList<>();
        for (String line : trace.stdout().split("\n")) {
            String s = line.strip();
            if (s.startsWith("linux-vdso")) {
                continue;
            }
            String path = s.contains(" => ") ? s.substring(s.indexOf(" => ") + 4) : s;
            expected.add(Path.of(path.substring(0, path.lastIndexOf(" ("))).toRealPath().toString());
        }
        List<String> actual = new ArrayList<>();
        program.get("loadOrder").forEach(o -> actual.add(o.asText()));
        assertEquals(expected, actual);
        assertEquals(31, actual.size() - 1, "curl loads 31 libraries besides the loader");
        JsonNode lookups = program.get("failedLookups");
        assertTrue(lookups.get("now").asInt() > 100, lookups.toString());
        assertEquals(0, lookups.get("relative").asInt());
        assertEquals(0, lookups.get("absolute").asInt());
    }

    @Test
    void json_edges_sayHowEachNameResolved() throws IOException {
        JsonNode graph = json();
        String curl = TestClosure.path("curl") + "/bin/curl";
        String libcurl = TestClosure.path("libcurl") + "/lib";
        boolean seen = false;
        for (JsonNode e : graph.get("edges")) {
            if (e.get("from").asText().equals(curl) && e.get("needed").asText().equals("libcurl.so.4")) {
                assertEquals("runpath", e.get("how").asText());
                assertEquals(libcurl, e.get("directory").asText());
                assertEquals(libcurl + "/libcurl.so.4.8.0", e.get("to").asText());
                seen = true;
            }
            if (e.get("needed").asText().equals("ld-linux-x86-64.so.2")) {
                assertEquals("loader", e.get("how").asText(), e.toString());
            }
        }
        assertTrue(seen, "no edge curl -> libcurl.so.4");
        // xz's DT_RPATH (not RUNPATH) shows as such.
        String xz = TestClosure.path("xz") + "/bin/xz";
        assertTrue(edgesFrom(graph, xz).stream().anyMatch(e -> e.get("how").asText().equals("rpath")));
    }

    private static List<JsonNode> edgesFrom(JsonNode graph, String from) {
        List<JsonNode> edges = new ArrayList<>();
        graph.get("edges").forEach(e -> {
            if (e.get("from").asText().equals(from)) {
                edges.add(e);
            }
        });
        return edges;
    }

    @Test
    void json_scriptsAndAbsoluteSymlinks_noted() throws IOException {
        JsonNode graph = json();
        boolean appInfo = false;
        for (JsonNode s : graph.get("scripts")) {
            if (s.get("path").asText().endsWith("/bin/app-info")) {
                assertEquals(TestClosure.path("dash") + "/bin/dash", s.get("interpreter").asText());
                appInfo = true;
            }
        }
        assertTrue(appInfo, "app-info script not listed");
        long absolute = 0;
        for (JsonNode s : graph.get("symlinks")) {
            if (s.get("absolute").asBoolean()) {
                absolute++;
            }
        }
        assertTrue(absolute >= 2, "app's bin/curl and bin/hello-musl are absolute symlinks");
    }

    @Test
    void json_scanningReferences_sameMembersAsNix() throws IOException {
        JsonNode graph = json("--scan-references");
        assertEquals("reference scan", graph.get("origin").asText());
        Set<String> members = new TreeSet<>();
        graph.get("members").forEach(m -> members.add(m.get("path").asText()));
        assertEquals(new TreeSet<>(TestClosure.closure().stream().map(Path::toString).toList()), members);
    }

    @Test
    void dot_testClosure_rendersWithGraphviz() throws IOException {
        Path dot = tmp.resolve("closure.dot");
        List<String> args = new ArrayList<>(List.of("graph", "--format", "dot", "-o", dot.toString()));
        args.addAll(roots());
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Path svg = tmp.resolve("closure.svg");
        TestClosure.Output out = TestClosure.execute(List.of("dot", "-Tsvg", "-o", svg.toString(), dot.toString()),
                Map.of());
        assertEquals(0, out.exitCode(), out.stderr());
        assertEquals("", out.stderr().strip(), "Graphviz warnings");
        String text = Files.readString(svg);
        assertTrue(text.contains("<svg") && text.contains("libcurl.so.4"), "svg lacks the curl edge");
    }

    @Test
    void text_default_summarisesCountsAndStorm() throws IOException {
        List<String> args = new ArrayList<>(List.of("graph"));
        args.addAll(roots());
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("36 store paths (nix database)"), r.out());
        assertTrue(r.out().contains("unresolved: 0"), r.out());
        assertTrue(r.out().contains("after --relative"), r.out());
    }

    @Test
    void hostProgram_librariesComeFromTheHostLoader() throws IOException {
        MainTest.Result r = MainTest.run("graph", "--format", "json", "/usr/bin/curl");
        assertEquals(0, r.code(), r.err());
        JsonNode graph = JSON.readTree(r.out());
        assertEquals("host loader", graph.get("origin").asText());
        Set<String> members = new TreeSet<>();
        graph.get("members").forEach(m -> members.add(m.get("path").asText()));
        assertTrue(members.stream().anyMatch(m -> m.contains("libcurl.so.4")), members.toString());
        assertTrue(members.stream().anyMatch(m -> m.endsWith("/libc.so.6")), members.toString());
        boolean cache = false;
        for (JsonNode e : graph.get("edges")) {
            cache |= e.get("how").asText().equals("cache");
        }
        assertTrue(cache, "host libraries come from ld.so.cache");
    }

    @Test
    void mixedRoots_isUsageError() throws IOException {
        MainTest.Result r = MainTest.run("graph", "/usr/bin/curl", TestClosure.path("curl").toString());
        assertEquals(ExitCodes.USAGE, r.code());
    }

    @Test
    void missingRoot_isBadInput() {
        MainTest.Result r = MainTest.run("graph", "/nix/store/00000000000000000000000000000000-missing");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
    }
}
