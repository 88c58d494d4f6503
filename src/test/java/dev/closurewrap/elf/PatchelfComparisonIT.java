package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.TestClosure;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same edits made by patchelf and by the editor, side by side, on real programs: wherever
 * patchelf's output still behaves like the original, ours must too, and ours must grow the files
 * less in total.
 */
class PatchelfComparisonIT {
    private static final String LONG_DIR = "/nix/store/" + "p".repeat(32) + "-patchelf-comparison-runpath/lib";
    private static final String LONG_INTERP = "/lib64/../lib64/../lib64/ld-linux-x86-64.so.2";

    @TempDir
    static Path work;

    record Edit(String name, List<String> patchelfArgs, List<ElfEdit> ours) {}

    @Test
    void sameEdits_oursRunWherePatchelfsDoAndGrowLess() throws Exception {
        List<Path> programs = programs();
        assertTrue(programs.size() >= 100, "only " + programs.size() + " programs");
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong oursGrowth = new AtomicLong();
        AtomicLong patchelfGrowth = new AtomicLong();
        AtomicInteger compared = new AtomicInteger();
        AtomicInteger patchelfBroke = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger n = new AtomicInteger();
            for (Path program : programs) {
                futures.add(pool.submit(() -> {
                    Path dir = work.resolve("p" + n.incrementAndGet());
                    for (Edit edit : edits(ElfFile.open(program))) {
                        Path original = copy(program, dir.resolve("orig/" + edit.name() + "/bin/" + program.getFileName()));
                        Path theirs = copy(program, dir.resolve("patchelf/" + edit.name() + "/bin/" + program.getFileName()));
                        Path ours = copy(program, dir.resolve("ours/" + edit.name() + "/bin/" + program.getFileName()));
                        List<String> command = new ArrayList<>(List.of("patchelf"));
                        command.addAll(edit.patchelfArgs());
                        command.add(theirs.toString());
                        Native.Result p = Native.run(dir, Map.of(), command);
                        ElfEditor.edit(ours, ours, edit.ours());
                        Set<String> baseline = Behaviours.baseline(() -> behaviour(original));
                        if (baseline == null) {
                            continue; // hangs or is killed: nothing to compare
                        }
                        boolean patchelfOk = p.exit() == 0 && Behaviours.matches(() -> behaviour(theirs), baseline);
                        boolean oursOk = Behaviours.matches(() -> behaviour(ours), baseline);
                        if (!patchelfOk) {
                            patchelfBroke.incrementAndGet();
                        }
                        if (patchelfOk && !oursOk) {
                            failures.add(program + " [" + edit.name() + "]: patchelf's output runs, ours does not:\n"
                                    + behaviour(ours));
                        }
                        if (patchelfOk) {
                            oursGrowth.addAndGet(Files.size(ours) - Files.size(original));
                            patchelfGrowth.addAndGet(Files.size(theirs) - Files.size(original));
                        }
                        compared.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        String summary = compared + " edits compared; patchelf broke " + patchelfBroke + "; growth: ours "
                + oursGrowth + " bytes, patchelf " + patchelfGrowth + " bytes";
        System.out.println("patchelf comparison: " + summary);
        assertTrue(failures.isEmpty(), summary + "\n" + String.join("\n", failures));
        assertTrue(compared.get() >= 250, summary);
        assertTrue(oursGrowth.get() < patchelfGrowth.get(), summary);
    }

    private static List<Edit> edits(ElfFile elf) {
        List<Edit> edits = new ArrayList<>();
        String current = elf.runpath().or(elf::rpath).map(s -> ":" + s.utf8()).orElse("");
        String runpath = LONG_DIR + current;
        edits.add(new Edit("set-rpath", List.of("--set-rpath", runpath),
                List.of(new ElfEdit.SetSearchPath(ByteString.utf8(runpath), SearchPathTag.RUNPATH))));
        edits.add(new Edit("set-interpreter", List.of("--set-interpreter", LONG_INTERP),
                List.of(new ElfEdit.SetInterpreter(ByteString.utf8(LONG_INTERP)))));
        List<String> replace = new ArrayList<>();
        List<ElfEdit> ours = new ArrayList<>();
        for (ByteString n : elf.needed()) {
            if (n.utf8().equals("libc.so.6") || n.utf8().equals("libm.so.6")) {
                String to = "/lib/x86_64-linux-gnu/" + n.utf8();
                replace.addAll(List.of("--replace-needed", n.utf8(), to));
                ours.add(new ElfEdit.ReplaceNeeded(n, ByteString.utf8(to)));
            }
        }
        if (!ours.isEmpty()) {
            edits.add(new Edit("replace-needed", replace, ours));
        }
        return edits;
    }

    private static List<Path> programs() throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> list = Files.list(Path.of("/usr/bin"))) {
            for (Path p : list.sorted().toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) < 6_000_000 && isGlibcProgram(p)) {
                    found.add(p);
                }
            }
        }
        List<Path> sample = new ArrayList<>();
        for (int i = 0; i < found.size(); i += 6) {
            sample.add(found.get(i));
        }
        for (Path storePath : TestClosure.closure()) {
            Path bin = storePath.resolve("bin");
            if (Files.isDirectory(bin)) {
                try (Stream<Path> list = Files.list(bin)) {
                    list.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && isGlibcProgram(p))
                            .sorted().forEach(sample::add);
                }
            }
        }
        return sample;
    }

    private static boolean isGlibcProgram(Path p) {
        try {
            var elf = ElfFile.openIfElf(p);
            return elf.isPresent() && elf.get().machine() == ElfConstants.EM_X86_64
                    && elf.get().loaderFamily() == LoaderFamily.GLIBC
                    && (elf.get().kind() == ElfKind.PIE_EXECUTABLE || elf.get().kind() == ElfKind.DYNAMIC_EXECUTABLE)
                    && !Set.of("yes", "top", "watch", "cat", "tee", "sh", "bash", "dash").contains(p.getFileName().toString());
        } catch (IOException e) {
            return false;
        }
    }

    private static String behaviour(Path program) throws IOException {
        Native.Result r = null;
        for (int attempt = 0; attempt < 5 && (r == null || r.err().contains("Text file busy")); attempt++) {
            if (attempt > 0) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r = Native.run(program.getParent(), Map.of("LC_ALL", "C", "TERM", "dumb"),
                    List.of("timeout", "-k", "1", "5", "./" + program.getFileName(), "--version"));
        }
        if (r.exit() == 124 || r.exit() == 137) {
            return null;
        }
        String editDir = program.getParent().getParent().getParent().toString();
        return ("exit " + r.exit() + "\n" + r.out() + r.err()).replace(editDir, "DIR");
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        to.toFile().setWritable(true, true);
        to.toFile().setExecutable(true, false);
        return to;
    }
}
