package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.TestClosure;
import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.GraphBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closures that arrive as archives made by real Nix (an export stream, a binary cache, a NAR),
 * restored elsewhere: their graph equals the graph of the same paths in place.
 */
class ArchiveSourceIT {
    @TempDir
    Path tmp;

    private static DependencyGraph inPlace(List<Path> roots) throws IOException {
        return new GraphBuilder(2).build(new StoreDirSource(TestClosure.storeDir(), roots,
                StoreDirSource.References.NIX_DATABASE).closure());
    }

    private DependencyGraph fromArchive(Path archive) throws IOException {
        Path work = Files.createDirectory(tmp.resolve("work-" + archive.getFileName()));
        return new GraphBuilder(2).build(new ArchiveSource(List.of(archive), work).closure());
    }

    private static void assertSameGraph(DependencyGraph expected, DependencyGraph actual) {
        assertEquals(expected.storeDir(), actual.storeDir());
        assertEquals(new TreeSet<>(expected.roots()), new TreeSet<>(actual.roots()));
        assertEquals(expected.members(), actual.members());
        assertEquals(new TreeSet<>(expected.objects().stream().map(o -> o.path() + " " + o.sha256()).toList()),
                new TreeSet<>(actual.objects().stream().map(o -> o.path() + " " + o.sha256()).toList()));
        assertEquals(new TreeSet<>(expected.edges().stream().map(Object::toString).toList()),
                new TreeSet<>(actual.edges().stream().map(Object::toString).toList()));
        assertEquals(expected.programs(), actual.programs());
        assertEquals(expected.unresolved(), actual.unresolved());
    }

    @Test
    void exportStream_ofTheCurlClosure_graphEqualsTheStoreInPlace() throws IOException {
        Path curl = TestClosure.path("curl");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "nix-store --export $(nix-store -qR \"$0\") > \"$1\"",
                curl.toString(), tmp.resolve("curl.closure").toString()));
        assertEquals(0, TestClosure.execute(command, Map.of()).exitCode());
        DependencyGraph graph = fromArchive(tmp.resolve("curl.closure"));
        assertEquals("export stream", graph.origin());
        assertSameGraph(inPlace(List.of(curl)), graph);
    }

    @Test
    void binaryCache_ofTheTestClosure_graphEqualsTheStoreInPlace() throws IOException {
        Path cache = tmp.resolve("cache");
        List<String> command = new ArrayList<>(List.of("nix", "--extra-experimental-features", "nix-command", "copy",
                "--to", "file://" + cache));
        TestClosure.roots().forEach(r -> command.add(r.toString()));
        TestClosure.Output out = TestClosure.execute(command, Map.of());
        assertEquals(0, out.exitCode(), out.stderr());
        DependencyGraph graph = fromArchive(cache);
        assertEquals("binary cache", graph.origin());
        assertSameGraph(inPlace(TestClosure.roots()), graph);
    }

    @Test
    void narFile_namedAfterItsStorePath_isThatPathAlone() throws IOException {
        Path glibc = TestClosure.path("glibc");
        Path nar = tmp.resolve(glibc.getFileName() + ".nar.xz");
        TestClosure.Output out = TestClosure.execute(List.of("sh", "-c", "nix-store --dump \"$0\" | xz > \"$1\"",
                glibc.toString(), nar.toString()), Map.of());
        assertEquals(0, out.exitCode(), out.stderr());
        DependencyGraph graph = fromArchive(nar);
        assertEquals("NAR file", graph.origin());
        assertEquals(List.of(glibc), graph.roots());
        assertEquals(inPlace(List.of(glibc)).objects().stream().map(o -> o.path() + " " + o.sha256()).toList(),
                graph.objects().stream().map(o -> o.path() + " " + o.sha256()).toList());
    }
}
