package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.GraphBuilder;
import dev.closurewrap.graph.Scanner;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.plan.Action;
import dev.closurewrap.plan.FilePlan;
import dev.closurewrap.plan.JobPlan;
import dev.closurewrap.plan.Mode;
import dev.closurewrap.plan.Planner;
import dev.closurewrap.plan.Tree;
import dev.closurewrap.store.Closure;
import dev.closurewrap.store.ClosureItem;
import dev.closurewrap.store.HostSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Host mode on this machine's own programs: what the bundle holds ({@link HostClosure}) and how the
 * planner lays it out below {@code host/}. Paths are asked of the host, not assumed.
 */
class HostClosureTest {
    private static final Path LOADER = real("/lib64/ld-linux-x86-64.so.2");
    private static final Path LIBC = real("/lib/x86_64-linux-gnu/libc.so.6");

    @Test
    void closure_holdsProgramLibrariesLoaderAndSonameLinks_andARootGivenByALink() throws IOException {
        Closure closure = complete("/usr/bin/curl", "/usr/bin/unxz");
        List<Path> paths = closure.paths();
        Path libcurlLink = real("/usr/lib/x86_64-linux-gnu").resolve("libcurl.so.4");
        assertTrue(paths.containsAll(List.of(real("/usr/bin/curl"), real(libcurlLink.toString()), libcurlLink, LOADER, LIBC,
                real("/usr/bin/xz"), real("/usr/bin").resolve("unxz"))), paths.toString());
        assertTrue(closure.items().stream().allMatch(i -> i.kind() == ClosureItem.Kind.HOST_FILE));
        assertEquals(List.of(Path.of("/usr/bin/curl"), Path.of("/usr/bin/unxz")), closure.roots());
        assertTrue(closure.storeDir().isEmpty());
    }

    @Test
    void closure_ofALibraryRoot_holdsWhatItLoads() throws IOException {
        Closure closure = complete("/usr/lib/x86_64-linux-gnu/libcurl.so.4");
        assertTrue(closure.paths().containsAll(List.of(real("/usr/lib/x86_64-linux-gnu/libcurl.so.4"),
                real("/usr/lib/x86_64-linux-gnu/libz.so.1"), LIBC, LOADER)), closure.paths().toString());
    }

    @Test
    void relativePlan_mirrorsHostPaths_shimsThroughTheBundledLoader_andLaunchesEachRoot() throws IOException {
        JobPlan plan = plan(Mode.RELATIVE, Optional.empty(), "/usr/bin/env");
        assertEquals(Tree.HOST, plan.tree());
        Map<String, FilePlan> byTarget = byTarget(plan);
        String envDir = "host" + real("/usr/bin/env").getParent();
        String loader = "host" + LOADER;

        Action.ExecShim shim = (Action.ExecShim) byTarget.get(envDir + "/env").action();
        assertEquals(ByteString.utf8(LOADER.toString().substring(1)), shim.loader().path());
        Action.EditElf real = (Action.EditElf) byTarget.get(envDir + "/.env-real").action();
        String toLibc = "$ORIGIN/" + real("/usr/bin").relativize(LIBC);
        assertEquals(List.of(new ElfEdit.SetNeeded(List.of(ByteString.utf8(toLibc), ByteString.utf8("libc.so.6")))),
                real.edits());
        assertTrue(byTarget.get(loader).action() instanceof Action.Copy, byTarget.get(loader).toString());

        Action.Launcher launcher = (Action.Launcher) byTarget.get("bin/env").action();
        assertEquals(Tree.HOST, launcher.tree());
        assertEquals(ByteString.utf8(real("/usr/bin/env").toString().substring(1)), launcher.argv0());
        assertTrue(byTarget.keySet().stream().allMatch(t -> t.startsWith("host/") || t.startsWith("bin/")),
                byTarget.keySet().toString());
    }

    @Test
    void absolutePlan_withPrefix_namesLibrariesAndLoaderUnderThePrefix() throws IOException {
        Path prefix = Path.of("/opt/app/host");
        JobPlan plan = plan(Mode.ABSOLUTE, Optional.of(prefix), "/usr/bin/env");
        Map<String, FilePlan> byTarget = byTarget(plan);
        assertTrue(byTarget.keySet().stream().noneMatch(t -> t.startsWith("bin/")), "absolute mode has no launchers");
        List<ElfEdit> edits = ((Action.EditElf) byTarget.get("host" + real("/usr/bin/env")).action()).edits();
        ByteString libc = ByteString.utf8(prefix + LIBC.toString());
        assertTrue(edits.contains(new ElfEdit.ReplaceNeeded(ByteString.utf8("libc.so.6"), libc)), edits.toString());
        assertTrue(edits.contains(new ElfEdit.SetInterpreter(ByteString.utf8(prefix + LOADER.toString()))), edits.toString());
    }

    private static Closure complete(String... programs) throws IOException {
        Closure roots = new HostSource(List.of(programs).stream().map(Path::of).toList()).closure();
        DependencyGraph graph = new GraphBuilder(1).build(roots);
        return HostClosure.of(roots, graph);
    }

    private static JobPlan plan(Mode mode, Optional<Path> prefix, String... programs) throws IOException {
        Closure roots = new HostSource(List.of(programs).stream().map(Path::of).toList()).closure();
        DependencyGraph graph = new GraphBuilder(1).build(roots);
        Closure closure = HostClosure.of(roots, graph);
        return Planner.plan(closure, new Scanner(1).scan(closure.paths()), graph,
                new Planner.Options(mode, prefix, p -> false, Planner.hostMachine()));
    }

    private static Map<String, FilePlan> byTarget(JobPlan plan) {
        Map<String, FilePlan> byTarget = new TreeMap<>();
        plan.files().forEach(f -> byTarget.put(f.target().utf8(), f));
        return byTarget;
    }

    private static Path real(String path) {
        try {
            return Path.of(path).toRealPath();
        } catch (IOException e) {
            throw new AssertionError(path + " is not on this host", e);
        }
    }
}
