package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.LoaderFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code closure-wrap --absolute --prefix OUT/store -o OUT} on the real test closure: the tree runs in
 * place with {@code /nix/store} and the host's libraries hidden, every glibc program loads its
 * libraries in the original order, and strace sees no failed library lookup.
 */
class WrapAbsoluteIT {
    @TempDir
    Path dir;

    @Test
    void absolute_withPrefix_runsInPlace_inOriginalLoadOrder_withNoFailedLibraryLookup() throws IOException {
        Path out = dir.resolve("opt-app");
        Path store = out.resolve("store");
        WrapTesting.Result r = WrapTesting.run(WrapTesting.args(
                List.of("--absolute", "--prefix", store.toString(), "-o", out.toString()), WrapTesting.roots()));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.notExists(out.resolve("bin")), "absolute mode needs no launchers");
        WrapTesting.Result verified = WrapTesting.run("verify", out.toString());
        assertEquals(0, verified.code(), verified.out() + verified.err());
        assertTrue(verified.out().contains("nothing names the old store"), verified.out());

        // Every dynamically linked glibc program loads the same files, in the same order, as from the store.
        List<String> checked = new ArrayList<>();
        for (Path program : dynamicPrograms(store)) {
            Path original = TestClosure.storeDir().resolve(store.relativize(program));
            assertEquals(loadOrder(original, TestClosure.storeDir()), loadOrder(program, store), program.toString());
            checked.add(program.getFileName().toString());
        }
        assertTrue(checked.containsAll(List.of("curl", "xz", "bash", "dash", ".file-wrapped")), checked.toString());
        // musl's loader lists what it loads with --list.
        Path musl = TestClosure.path("musl").resolve("lib/libc.so");
        Path helloMusl = TestClosure.path("hello-musl").resolve("bin/hello-musl");
        Path bundled = store.resolve(TestClosure.storeDir().relativize(helloMusl));
        List<String> muslOrder = loadOrder(List.of(musl.toString(), "--list", helloMusl.toString()), TestClosure.storeDir());
        assertEquals(muslOrder, loadOrder(List.of(store.resolve(TestClosure.storeDir().relativize(musl)).toString(), "--list",
                bundled.toString()), store));
        assertTrue(muslOrder.stream().anyMatch(l -> l.endsWith("libgreet.so.1.0.0")), muslOrder.toString());

        // Every program of the roots runs in place, with the store and the host's libraries hidden.
        Map<String, Path> programs = new TreeMap<>();
        for (Path root : TestClosure.roots()) {
            try (Stream<Path> bin = Files.list(root.resolve("bin"))) {
                bin.filter(p -> !p.getFileName().toString().startsWith("."))
                        .forEach(p -> programs.putIfAbsent(p.getFileName().toString(), p));
            }
        }
        programs.put("xz", TestClosure.path("xz").resolve("bin/xz"));
        programs.put("bash", TestClosure.path("bash").resolve("bin/bash"));
        Map<String, String> expected = new TreeMap<>();
        for (Map.Entry<String, Path> e : programs.entrySet()) {
            TestClosure.Output o = TestClosure.execute(List.of(e.getValue().toString(), "--version"), Map.of());
            assertEquals(0, o.exitCode(), e.getKey() + ": " + o.stderr());
            expected.put(e.getKey(), normalise(o.stdout() + o.stderr(), store));
        }
        Path results = Files.createDirectories(dir.resolve("results"));
        Path storeDir = TestClosure.storeDir();
        Map<String, Path> inBundle = new TreeMap<>();
        programs.forEach((name, program) -> inBundle.put(name, store.resolve(storeDir.relativize(program))));
        StringBuilder script = WrapTesting.hidingScript(dir, true);
        WrapTesting.appendVersionRuns(script, inBundle, results);
        Path trace = WrapTesting.runHidden(dir, script);
        assertEquals(List.of(), WrapTesting.versionMismatches(expected, results, text -> normalise(text, store)));
        assertEquals(List.of(), WrapTesting.failedLibraryLookups(trace, WrapTesting.HOST_LIBS_HIDDEN));
    }

    @Test
    void absoluteInPlace_onACopyOfAStorePath_runsWithNoFailedLibraryLookup() throws IOException {
        Path copy = dir.resolve("curl");
        TestClosure.run(List.of("cp", "-r", TestClosure.path("curl").toString(), copy.toString()));
        TestClosure.run(List.of("chmod", "-R", "u+w", copy.toString()));
        WrapTesting.Result r = WrapTesting.run("--absolute", "--in-place", "-q", copy.toString());
        assertEquals(0, r.code(), r.err());
        Path curl = copy.resolve("bin/curl");
        List<String> order = loadOrder(curl, TestClosure.storeDir());
        assertEquals(loadOrder(TestClosure.path("curl").resolve("bin/curl"), TestClosure.storeDir()), order);
        ElfFile edited = ElfFile.open(curl);
        String store = TestClosure.storeDir() + "/";
        assertTrue(edited.needed().stream().allMatch(n -> n.utf8().startsWith(store)
                || n.utf8().equals("ld-linux-x86-64.so.2")), edited.needed().toString());
        assertTrue(edited.runpath().isEmpty() && edited.rpath().isEmpty());

        Path trace = dir.resolve("trace");
        TestClosure.Output o = TestClosure.execute(List.of("strace", "-f", "-o", trace.toString(),
                "-e", "trace=openat,open,stat,newfstatat,access", curl.toString(), "--version"), Map.of());
        assertEquals(0, o.exitCode(), o.stderr());
        assertEquals(List.of(), WrapTesting.failedLibraryLookups(trace, null));
        // A second run finds nothing left to do.
        WrapTesting.Result again = WrapTesting.run("--absolute", "--in-place", "--json", "-q", copy.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("\"rewritten\" : 0"), again.out());
    }

    /** The glibc programs of the bundle (ELF executables with an interpreter). */
    private static List<Path> dynamicPrograms(Path store) throws IOException {
        List<Path> programs = new ArrayList<>();
        List<Path> all;
        try (Stream<Path> walk = Files.walk(store)) {
            all = walk.filter(Files::isRegularFile).filter(p -> !Files.isSymbolicLink(p)).sorted().toList();
        }
        for (Path p : all) {
            Optional<ElfFile> elf = ElfFile.openIfElf(p);
            if (elf.isPresent() && elf.get().loaderFamily() == LoaderFamily.GLIBC
                    && (elf.get().kind() == ElfKind.DYNAMIC_EXECUTABLE || elf.get().kind() == ElfKind.PIE_EXECUTABLE)) {
                programs.add(p);
            }
        }
        return programs;
    }

    /** What glibc loads for {@code program}, in order, as real paths below {@code store}. */
    private static List<String> loadOrder(Path program, Path store) throws IOException {
        return loadOrder(List.of(program.toString()), Map.of("LD_TRACE_LOADED_OBJECTS", "1"), store);
    }

    private static List<String> loadOrder(List<String> command, Path store) throws IOException {
        return loadOrder(command, Map.of(), store);
    }

    /** The objects a loader's listing ({@code name => path (address)} lines) names, as real paths below {@code store}. */
    private static List<String> loadOrder(List<String> command, Map<String, String> env, Path store) throws IOException {
        TestClosure.Output o = TestClosure.execute(command, env);
        Object program = command;
        assertEquals(0, o.exitCode(), program + ": " + o.stderr());
        List<String> loaded = new ArrayList<>();
        for (String line : o.stdout().lines().toList()) {
            String s = line.strip();
            if (s.startsWith("linux-vdso")) {
                continue;
            }
            int arrow = s.indexOf("=> ");
            String path = arrow >= 0 ? s.substring(arrow + 3) : s;
            path = path.substring(0, path.lastIndexOf(" ("));
            Path real = Path.of(path).toRealPath();
            assertTrue(real.startsWith(store.toRealPath()), program + " loads " + real + " from outside " + store);
            loaded.add(store.toRealPath().relativize(real).toString());
        }
        return loaded;
    }

    private static String normalise(String text, Path store) {
        return text.replace(store.toString(), "STORE").replace("/nix/store", "STORE");
    }
}
