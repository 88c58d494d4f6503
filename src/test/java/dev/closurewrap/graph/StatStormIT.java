package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.elf.ElfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The predicted failed lookups at start-up against strace's count: ENOENT results of
 * open/openat/stat/newfstatat/access, less the one for /etc/ld.so.preload, for real programs of
 * the test closure and the host. Within 10 %, as the issue asks; in practice equal.
 */
class StatStormIT {
    private final HostFileSystem fs = new HostFileSystem();

    @Test
    void predictedFailedLookups_realPrograms_withinTenPercentOfStrace() throws IOException {
        List<List<String>> runs = List.of(
                List.of(TestClosure.path("curl") + "/bin/curl", "--version"),
                List.of(TestClosure.path("xz") + "/bin/xz", "--version"),
                List.of(TestClosure.path("bash") + "/bin/bash", "--version"),
                List.of(TestClosure.path("file") + "/bin/.file-wrapped", "--version"),
                List.of(TestClosure.path("hello-musl") + "/bin/hello-musl"),
                List.of("/usr/bin/curl", "--version"),
                List.of("/usr/bin/git", "--version"),
                List.of("/usr/bin/ssh", "-V"));
        List<String> table = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (List<String> run : runs) {
            Path program = Path.of(run.get(0));
            if (!Files.isExecutable(program)) {
                continue;
            }
            int[] counts = strace(run);
            int measured = counts[0];
            LoadTrace trace = trace(program);
            int predicted = trace.failedLookupCount();
            table.add("| " + program + " " + String.join(" ", run.subList(1, run.size())) + " | " + counts[1] + " | "
                    + measured + " | " + predicted + " |");
            if (Math.abs(predicted - measured) > measured / 10.0) {
                failures.add(program + ": strace " + measured + ", predicted " + predicted);
            }
        }
        System.out.println(String.join("\n", table));
        assertTrue(table.size() >= 5, "fewer than five programs measured: " + table);
        assertEquals(List.of(), failures);
    }

    private LoadTrace trace(Path program) throws IOException {
        ElfFile elf = ElfFile.open(program);
        String interp = elf.interpreterPath().orElseThrow().utf8();
        if (elf.loaderFamily() == dev.closurewrap.elf.LoaderFamily.MUSL) {
            return new MuslLoader(MuslConfig.x86_64(), fs).load(program.toString());
        }
        return new GlibcLoader(LoaderProbe.glibc(interp), fs).load(program.toString());
    }

    /**
     * ENOENT lines of strace, less /etc/ld.so.preload: {loader's, whole run's}. The loader's are
     * those before glibc registers rseq (it does so once every object is mapped, before any
     * constructor or main runs), so locale files and configuration the program itself looks for
     * are not counted; musl registers no rseq, and its count is the whole run's.
     */
    static int[] strace(List<String> run) throws IOException {
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-e",
                "trace=openat,open,stat,newfstatat,access,rseq"));
        command.addAll(run);
        TestClosure.Output output = TestClosure.execute(command, Map.of());
        int loader = -1;
        int whole = 0;
        for (String line : output.stderr().split("\n")) {
            if (line.startsWith("rseq(") && loader < 0) {
                loader = whole;
            }
            if (line.contains("ENOENT") && !line.contains("/etc/ld.so.preload")) {
                whole++;
            }
        }
        return new int[] {loader < 0 ? whole : loader, whole};
    }
}
