package dev.closurewrap.graph;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Our loader models against the real loaders: for every dynamically linked program of the test
 * closure and of the host's /usr/bin and /usr/sbin, the load order the model computes equals
 * what the program's own loader prints with {@code LD_TRACE_LOADED_OBJECTS=1} (glibc) or
 * {@code --list} (musl).
 */
class LoadOrderIT {
    private final HostFileSystem fs = new HostFileSystem();

    @Test
    void glibcLoadOrder_everyProgramOfTheTestClosure_equalsTheRealLoader() throws IOException {
        List<Path> programs = programs(TestClosure.closure(), LoaderFamily.GLIBC);
        assertTrue(programs.size() >= 5, "test closure programs: " + programs);
        assertAllMatch(programs);
    }

    @Test
    void glibcLoadOrder_everyHostProgram_equalsTheRealLoader() throws IOException {
        List<Path> programs = programs(List.of(Path.of("/usr/bin"), Path.of("/usr/sbin")), LoaderFamily.GLIBC);
        assertTrue(programs.size() >= 100, "host programs: " + programs.size());
        assertAllMatch(programs);
    }

    @Test
    void muslLoadOrder_helloMusl_equalsMuslLdd() throws IOException {
        List<Path> programs = programs(TestClosure.closure(), LoaderFamily.MUSL);
        assertTrue(!programs.isEmpty(), "no musl program in the test closure");
        Path musl = TestClosure.path("musl").resolve("lib/libc.so");
        for (Path program : programs) {
            TestClosure.Output output = TestClosure.execute(List.of(musl.toString(), "--list", program.toString()),
                    Map.of());
            assertEquals(0, output.exitCode(), output.stderr());
            List<String> expected = muslLdd(output.stdout());
            LoadTrace trace = new MuslLoader(MuslConfig.x86_64(), fs).load(program.toString());
            List<String> actual = new ArrayList<>(new LinkedHashSet<>(
                    trace.loadOrder().stream().map(LoadTrace.Loaded::name).toList()));
            assertEquals(expected, actual, program.toString());
            assertEquals(List.of(), trace.unresolved(), program.toString());
        }
    }

    private void assertAllMatch(List<Path> programs) throws IOException {
        List<String> mismatches = new ArrayList<>();
        for (Path program : programs) {
            ElfFile elf = ElfFile.open(program);
            // Set-user/group-ID programs start in secure mode, which ignores LD_TRACE_LOADED_OBJECTS:
            // ask their loader to list them instead (the same search, as no $ORIGIN is involved).
            List<String> command = isSetId(program)
                    ? List.of(elf.interpreterPath().orElseThrow().utf8(), "--list", program.toString())
                    : List.of(program.toString());
            TestClosure.Output output = TestClosure.execute(command, Map.of("LD_TRACE_LOADED_OBJECTS", "1"));
            List<String> expected = glibcTrace(output.stdout());
            GlibcConfig config = LoaderProbe.glibc(elf.interpreterPath().orElseThrow().utf8());
            LoadTrace trace = new GlibcLoader(config, fs).load(program.toString());
            List<String> actual = new ArrayList<>(trace.loadOrder().stream().map(LoadTrace.Loaded::name).toList());
            trace.unresolved().forEach(r -> actual.add(r.needed().utf8() + " => not found"));
            if (!expected.equals(actual)) {
                mismatches.add(program + "\n  loader: " + expected + "\n  model:  " + actual);
            }
        }
        assertEquals(List.of(), mismatches, mismatches.size() + " of " + programs.size() + " programs differ");
    }

    private static boolean isSetId(Path program) throws IOException {
        int mode = (Integer) Files.getAttribute(program, "unix:mode");
        return (mode & 06000) != 0;
    }

    /** The paths glibc's trace prints, in order: "name => path (addr)" and the loader's "path (addr)". */
    static List<String> glibcTrace(String stdout) {
        List<String> paths = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("linux-vdso.so") || s.startsWith("statically linked")) {
                continue;
            }
            int arrow = s.indexOf(" => ");
            if (arrow >= 0) {
                String rest = s.substring(arrow + 4);
                if (rest.equals("not found")) {
                    notFound.add(s);
                } else {
                    paths.add(rest.substring(0, rest.lastIndexOf(" (")));
                }
            } else {
                paths.add(s.substring(0, s.lastIndexOf(" (")));
            }
        }
        paths.addAll(notFound);
        return paths;
    }

    /** musl's ldd output without its first line (the loader itself), distinct paths in order. */
    static List<String> muslLdd(String stdout) {
        LinkedHashSet<String> paths = new LinkedHashSet<>();
        for (String line : stdout.split("\n")) {
            String s = line.strip();
            int arrow = s.indexOf(" => ");
            if (arrow >= 0) {
                String rest = s.substring(arrow + 4);
                paths.add(rest.substring(0, rest.lastIndexOf(" (")));
            }
        }
        return new ArrayList<>(paths);
    }

    /** Every regular file under {@code roots} that is a dynamically linked program of {@code family}. */
    static List<Path> programs(List<Path> roots, LoaderFamily family) throws IOException {
        List<Path> programs = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).filter(f -> !Files.isSymbolicLink(f)).sorted()
                        .toList()) {
                    Optional<ElfFile> elf;
                    try {
                        elf = ElfFile.openIfElf(file);
                    } catch (IOException e) {
                        continue;
                    }
                    if (elf.isPresent() && elf.get().loaderFamily() == family
                            && (elf.get().kind() == ElfKind.DYNAMIC_EXECUTABLE
                                || elf.get().kind() == ElfKind.PIE_EXECUTABLE)
                            && Files.isExecutable(file)) {
                        programs.add(file);
                    }
                }
            }
        }
        return programs;
    }
}
