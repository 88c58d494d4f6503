package dev.closurewrap.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.Processes;
import dev.closurewrap.elf.ElfConstants;
import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.GraphBuilder;
import dev.closurewrap.graph.ScannedFile;
import dev.closurewrap.graph.Scanner;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.store.Closure;
import dev.closurewrap.store.StoreDirSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner's rules on a tiny store built with gcc: a library store path and a program store path
 * that links it through RUNPATH, an absolute symlink and a configuration file naming the library's
 * store path. The program uses the host's loader and libc, which stay outside the closure.
 */
class PlannerTest {
    static final String LIB = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-libfoo";
    static final String PROG = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-prog";

    @TempDir
    static Path dir;
    static Path store;

    @BeforeAll
    static void buildStore() throws IOException, InterruptedException {
        store = dir.resolve("store");
        Path lib = Files.createDirectories(store.resolve(LIB + "/lib"));
        Path bin = Files.createDirectories(store.resolve(PROG + "/bin"));
        Path share = Files.createDirectories(store.resolve(PROG + "/share"));
        Files.writeString(dir.resolve("foo.c"), "int foo(void) { return 42; }\n");
        Files.writeString(dir.resolve("main.c"), "int foo(void);\nint main(void) { return foo() == 42 ? 0 : 1; }\n");
        gcc("-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", lib.resolve("libfoo.so.1").toString(),
                dir.resolve("foo.c").toString());
        Files.createSymbolicLink(lib.resolve("libfoo.so"), Path.of("libfoo.so.1"));
        gcc("-o", bin.resolve("prog").toString(), dir.resolve("main.c").toString(), "-L" + lib, "-l:libfoo.so.1",
                "-Wl,--enable-new-dtags,-rpath," + lib);
        Files.createSymbolicLink(bin.resolve("tool"), bin.resolve("prog"));
        Files.writeString(share.resolve("x.conf"), "library = " + lib.resolve("libfoo.so.1") + "\n");
    }

    private static void gcc(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("gcc"));
        command.addAll(List.of(args));
        Processes.check(null, command);
    }

    private static Map<String, FilePlan> plan(Mode mode, Optional<Path> prefix, List<String> notes) throws IOException {
        Closure closure = new StoreDirSource(store, List.of(store.resolve(PROG)), StoreDirSource.References.SCAN).closure();
        List<ScannedFile> files = new Scanner(1).scan(closure.paths());
        DependencyGraph graph = new GraphBuilder(1).build(closure, files);
        JobPlan plan = Planner.plan(closure, files, graph, new Planner.Options(mode, prefix, p -> false, ElfConstants.EM_X86_64));
        notes.addAll(plan.notes());
        notes.addAll(plan.problems().values());
        Map<String, FilePlan> byTarget = new TreeMap<>();
        plan.files().forEach(f -> byTarget.put(f.target().utf8(), f));
        return byTarget;
    }

    private static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    @Test
    void relative_pathsFirst_thenSonames_runpathRelative_symlinksRelative() throws IOException {
        List<String> notes = new java.util.ArrayList<>();
        Map<String, FilePlan> plans = plan(Mode.RELATIVE, Optional.empty(), notes);

        Action prog = plans.get("store/" + PROG + "/bin/prog").action();
        assertEquals(new Action.EditElf(List.of(
                new ElfEdit.SetNeeded(List.of(bs("$ORIGIN/../../" + LIB + "/lib/libfoo.so.1"), bs("libfoo.so.1"), bs("libc.so.6"))),
                new ElfEdit.SetSearchPath(bs("$ORIGIN/../../" + LIB + "/lib"), SearchPathTag.RUNPATH))), prog);
        // The host's loader is not in the bundle: no shim, and the program is reported.
        assertTrue(notes.stream().anyMatch(n -> n.contains("is not in the bundle")), notes.toString());
        assertEquals(new Action.Symlink(bs("prog")), plans.get("store/" + PROG + "/bin/tool").action());
        assertEquals(new Action.Symlink(bs("libfoo.so.1")), plans.get("store/" + LIB + "/lib/libfoo.so").action());
        assertEquals("copy", plans.get("store/" + LIB + "/lib/libfoo.so.1").action().kind());
        assertEquals("copy", plans.get("store/" + PROG + "/share/x.conf").action().kind());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("unresolved:") && n.contains("libc.so.6")), notes.toString());
    }

    @Test
    void absolute_withPrefix_pathsUnderThePrefix_forNeededSymlinksAndText() throws IOException {
        Path prefix = Path.of("/opt/p/store");
        Map<String, FilePlan> plans = plan(Mode.ABSOLUTE, Optional.of(prefix), new java.util.ArrayList<>());
        Action prog = plans.get("store/" + PROG + "/bin/prog").action();
        // libc is outside the closure: it stays a name, so the search path stays too, under the prefix.
        assertEquals(new Action.EditElf(List.of(
                new ElfEdit.ReplaceNeeded(bs("libfoo.so.1"), bs(prefix + "/" + LIB + "/lib/libfoo.so.1")),
                new ElfEdit.SetSearchPath(bs(prefix + "/" + LIB + "/lib"), SearchPathTag.RUNPATH))), prog);
        assertEquals(new Action.Symlink(bs(prefix + "/" + PROG + "/bin/prog")), plans.get("store/" + PROG + "/bin/tool").action());
        Action conf = plans.get("store/" + PROG + "/share/x.conf").action();
        assertEquals("prefix-text", conf.kind());
        assertEquals(List.of(bs(LIB)), List.copyOf(((Action.PrefixText) conf).bundled()));
    }
}
