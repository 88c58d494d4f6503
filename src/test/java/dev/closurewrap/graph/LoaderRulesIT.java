package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search rules one by one against the real loaders, on programs and libraries built here with
 * gcc, musl-gcc and patchelf: for each case, the model's load order equals the loader's listing
 * and its failed lookups equal strace's.
 */
class LoaderRulesIT {
    @TempDir
    static Path dir;

    private static final String GLIBC_LD = "/lib64/ld-linux-x86-64.so.2";
    private static final String MUSL_LD = "/lib/ld-musl-x86_64.so.1";
    private final HostFileSystem fs = new HostFileSystem();

    @BeforeAll
    static void build() throws IOException {
        Files.writeString(dir.resolve("b.c"), "int b(void) { return 2; }\n");
        Files.writeString(dir.resolve("a.c"), "int b(void);\nint a(void) { return b() + 1; }\n");
        Files.writeString(dir.resolve("main.c"), "int a(void);\nint main(void) { return a() == 3 ? 0 : 1; }\n");
        for (String cc : List.of("gcc", "musl-gcc")) {
            Path out = Files.createDirectories(dir.resolve(cc));
            Path lib = Files.createDirectories(out.resolve("lib"));
            sh(cc + " -shared -fPIC -Wl,-soname,libb.so -o " + lib + "/libb.so " + dir + "/b.c");
            sh(cc + " -shared -fPIC -Wl,-soname,liba.so -o " + lib + "/liba.so " + dir + "/a.c -L" + lib + " -lb");
            String link = cc + " -o %s " + dir + "/main.c -L" + lib + " -la -Wl,-rpath-link," + lib + " %s";
            // RPATH of the program, inherited by liba when it looks for libb.
            sh(String.format(link, out + "/rpath", "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/lib'"));
            // RUNPATH of the program: glibc does not inherit it (libb not found), musl does.
            sh(String.format(link, out + "/runpath", "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib'"));
            // Missing directories before and after the right one.
            sh(String.format(link, out + "/missing",
                    "-Wl,--enable-new-dtags,-rpath,/nonexistent/one:'$ORIGIN/lib':/nonexistent/two"));
            // A name with '/': glibc expands $ORIGIN in it, musl opens it literally.
            sh(String.format(link, out + "/slash", "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/lib'"));
            sh("patchelf --replace-needed liba.so '$ORIGIN/lib/liba.so' " + out + "/slash");
        }
        // glibc-hwcaps: a copy of liba in the x86-64-v2 subdirectory wins over the plain one.
        Path hwcaps = Files.createDirectories(dir.resolve("gcc/hw/lib/glibc-hwcaps/x86-64-v2"));
        Files.copy(dir.resolve("gcc/lib/liba.so"), hwcaps.resolve("liba.so"));
        Files.copy(dir.resolve("gcc/lib/libb.so"), dir.resolve("gcc/hw/lib/libb.so"));
        Files.copy(dir.resolve("gcc/rpath"), dir.resolve("gcc/hw/rpath"));
    }

    private static void sh(String command) throws IOException {
        TestClosure.Output out = TestClosure.execute(List.of("sh", "-c", command), Map.of());
        if (out.exitCode() != 0) {
            throw new IOException(command + ": " + out.stderr());
        }
    }

    @Test
    void glibc_everyRule_loadOrderAndFailedLookupsEqualTheLoader() throws IOException {
        GlibcConfig config = LoaderProbe.glibc(GLIBC_LD);
        List<String> mismatches = new ArrayList<>();
        for (String name : List.of("rpath", "runpath", "missing", "slash", "hw/rpath")) {
            Path program = dir.resolve("gcc").resolve(name);
            List<String> expected = LoadOrderIT.glibcTrace(TestClosure.execute(List.of(program.toString()),
                    Map.of("LD_TRACE_LOADED_OBJECTS", "1")).stdout());
            LoadTrace trace = new GlibcLoader(config, fs).load(program.toString());
            List<String> actual = new ArrayList<>(trace.loadOrder().stream().map(LoadTrace.Loaded::name).toList());
            trace.unresolved().forEach(r -> actual.add(r.needed().utf8() + " => not found"));
            if (!expected.equals(actual)) {
                mismatches.add(name + " load order\n  loader: " + expected + "\n  model:  " + actual);
            }
            // Programs that cannot start still show the loader's lookups up to the failure.
            int[] strace = StatStormIT.strace(List.of(program.toString()));
            if (strace[0] != trace.failedLookupCount()) {
                mismatches.add(name + " failed lookups: strace " + strace[0] + ", model " + trace.failedLookupCount()
                        + " " + trace.failedLookups());
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void musl_everyRule_loadOrderAndFailedLookupsEqualTheLoader() throws IOException {
        List<String> mismatches = new ArrayList<>();
        for (String name : List.of("rpath", "runpath", "missing", "slash")) {
            Path program = dir.resolve("musl-gcc").resolve(name);
            TestClosure.Output ldd = TestClosure.execute(List.of(MUSL_LD, "--list", program.toString()), Map.of());
            List<String> expected = LoadOrderIT.muslLdd(ldd.stdout());
            LoadTrace trace = new MuslLoader(MuslConfig.x86_64(), fs).load(program.toString());
            List<String> actual = new ArrayList<>(new LinkedHashSet<>(
                    trace.loadOrder().stream().map(LoadTrace.Loaded::name).toList()));
            if (!expected.equals(actual)) {
                mismatches.add(name + " load order\n  ldd:   " + expected + " " + ldd.stderr() + "\n  model: " + actual);
            }
            int[] strace = StatStormIT.strace(List.of(program.toString()));
            if (strace[1] != trace.failedLookupCount()) {
                mismatches.add(name + " failed lookups: strace " + strace[1] + ", model " + trace.failedLookupCount()
                        + " " + trace.failedLookups());
            }
        }
        assertEquals(List.of(), mismatches);
    }
}
