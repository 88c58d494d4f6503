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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of real programs and libraries — a sample of the host's {@code /usr/bin} and
 * {@code /usr/lib/x86_64-linux-gnu} plus every editable ELF of the Nix test closure — each edited
 * three ways:
 *
 * <ol>
 *   <li><b>absolute</b>: every DT_NEEDED (but the loader's) replaced by the path the loader resolves
 *       it to, which also rewrites the matching vn_file; RUNPATH/RPATH removed;
 *   <li><b>relative</b>: in a copy tree with the libraries beside it, every DT_NEEDED becomes
 *       {@code $ORIGIN/../lib/NAME}, with the original entries kept after them (facts.md);
 *   <li><b>longer search path</b>: a long store directory put in front of the search path.
 * </ol>
 *
 * Every edited program must print what the original prints for {@code --version} (from the same
 * kind of place), every edited library must dlopen if the original does, {@code eu-elflint
 * --gnu-ld} must report nothing the original did not, and readelf must show the intended entries.
 */
class ElfEditorCorpusIT {
    private static final int MIN_OBJECTS = 200;
    private static final Set<String> NEVER_RUN = Set.of("reboot", "halt", "poweroff", "shutdown", "init",
            "telinit", "kill", "killall", "pkill", "systemctl", "sudo", "su", "login", "passwd", "yes", "top",
            "watch", "less", "more", "vi", "vim", "nano", "script", "sh", "bash", "dash", "cat", "tee");
    private static final String LONG_DIR = "/nix/store/" + "c".repeat(32) + "-closure-wrap-a-longer-runpath-entry/lib";

    @TempDir
    static Path shared;
    static Path dlcheck;

    @BeforeAll
    static void build() throws IOException {
        Native.write(shared, "dlcheck.c", """
                #include <dlfcn.h>
                #include <stdio.h>
                int main(int argc, char **argv) {
                    if (!dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) { fprintf(stderr, "%s\\n", dlerror()); return 1; }
                    return 0;
                }
                """);
        Native.compile(shared, "gcc", "-o", "dlcheck", "dlcheck.c", "-ldl");
        dlcheck = shared.resolve("dlcheck");
    }

    record Tally(AtomicInteger objects, AtomicInteger ran, AtomicInteger loaded, AtomicInteger edits) {}

    @Test
    void corpus_editedThreeWays_runsLoadsLintsAndReadsBackAsIntended() throws Exception {
        List<Path> corpus = corpus();
        assertTrue(corpus.size() >= MIN_OBJECTS, "corpus has only " + corpus.size() + " objects");
        Tally tally = new Tally(new AtomicInteger(), new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger counter = new AtomicInteger();
            for (Path file : corpus) {
                futures.add(pool.submit(() -> {
                    Path work = shared.resolve("w" + counter.incrementAndGet());
                    try {
                        checkObject(file, work, tally, failures);
                    } catch (Exception | AssertionError e) {
                        failures.add(file + ": " + e);
                    }
                    deleteTree(work);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        String summary = tally.objects() + " objects, " + tally.edits() + " edited files, " + tally.ran()
                + " program runs and " + tally.loaded() + " library loads compared";
        System.out.println("corpus: " + summary);
        assertTrue(failures.isEmpty(), failures.size() + " failures (" + summary + "):\n" + String.join("\n", failures));
        assertTrue(tally.objects().get() >= MIN_OBJECTS, summary);
        assertTrue(tally.ran().get() >= 3 * 80, summary);
        assertTrue(tally.loaded().get() >= 3 * 60, summary);
    }

    @Test
    void unmovableObjectsOfTheClosure_areRefusedAndLeftAlone() throws IOException {
        int refused = 0;
        for (Path storePath : TestClosure.closure()) {
            try (Stream<Path> walk = Files.walk(storePath)) {
                for (Path p : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                    Optional<ElfFile> elf = ElfFile.openIfElf(p);
                    if (elf.isEmpty() || elf.get().kind().isDynamicallyLinked()) {
                        continue;
                    }
                    byte[] before = Files.readAllBytes(p);
                    assertThrows(dev.closurewrap.io.UnsupportedInputException.class, () -> ElfEditor.plan(p,
                            List.of(new ElfEdit.SetSearchPath(ByteString.utf8(LONG_DIR), SearchPathTag.RUNPATH))), p.toString());
                    assertArrayEquals(before, Files.readAllBytes(p));
                    refused++;
                }
            }
        }
        // busybox, hello-static, hello-static-pie, musl's libc.so, glibc's ld-linux-x86-64.so.2
        assertTrue(refused >= 5, "only " + refused + " unmovable objects in the closure");
    }

    // ---- the corpus ----

    private static List<Path> corpus() throws IOException {
        List<Path> programs = sample(Path.of("/usr/bin"), 5, true);
        List<Path> libraries = sample(Path.of("/usr/lib/x86_64-linux-gnu"), 4, false);
        List<Path> closure = new ArrayList<>();
        for (Path storePath : TestClosure.closure()) {
            try (Stream<Path> walk = Files.walk(storePath)) {
                for (Path p : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                    if (editableGlibcObject(p, null) || editableMuslObject(p)) {
                        closure.add(p);
                    }
                }
            }
        }
        List<Path> all = new ArrayList<>(programs);
        all.addAll(libraries);
        all.addAll(closure);
        return all;
    }

    /** Every {@code step}-th editable glibc object of {@code dir}, sorted by name: programs or libraries. */
    private static List<Path> sample(Path dir, int step, boolean programs) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) > 6_000_000
                        || NEVER_RUN.contains(p.getFileName().toString())) {
                    continue;
                }
                if (editableGlibcObject(p, programs)) {
                    found.add(p);
                }
            }
        }
        List<Path> sample = new ArrayList<>();
        for (int i = 0; i < found.size(); i += step) {
            sample.add(found.get(i));
        }
        return sample;
    }

    private static boolean editableMuslObject(Path p) {
        try {
            Optional<ElfFile> elf = ElfFile.openIfElf(p);
            return elf.isPresent() && elf.get().loaderFamily() == LoaderFamily.MUSL && elf.get().kind().isDynamicallyLinked();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean editableGlibcObject(Path p, Boolean programs) {
        try {
            Optional<ElfFile> elf = ElfFile.openIfElf(p);
            if (elf.isEmpty() || elf.get().machine() != ElfConstants.EM_X86_64
                    || elf.get().loaderFamily() != LoaderFamily.GLIBC) {
                return false;
            }
            ElfKind kind = elf.get().kind();
            boolean program = kind == ElfKind.DYNAMIC_EXECUTABLE || kind == ElfKind.PIE_EXECUTABLE;
            return (program || kind == ElfKind.SHARED_LIBRARY) && (programs == null || programs == program);
        } catch (IOException e) {
            return false;
        }
    }

    // ---- one object ----

    private void checkObject(Path file, Path work, Tally tally, List<String> failures) throws IOException {
        ElfFile elf = ElfFile.open(file);
        boolean program = elf.kind() != ElfKind.SHARED_LIBRARY;
        String name = file.getFileName().toString();
        String sub = program ? "bin" : "x";
        Map<ByteString, Path> resolved = resolve(file, elf);
        tally.objects().incrementAndGet();

        Path original = copy(file, work.resolve("orig").resolve(sub).resolve(name));
        Set<String> originalLint = lint(original);
        Behaviours.Run originalRun = () -> program ? behaviour(original, work) : load(original);
        Set<String> baseline = Behaviours.baseline(originalRun);
        boolean comparable = baseline != null && (program || baseline.equals(Set.of("loaded")));

        // musl expands no $ORIGIN in DT_NEEDED and its loader is not the host's: search path only.
        List<String> modes = elf.loaderFamily() == LoaderFamily.MUSL ? List.of("runpath")
                : List.of("absolute", "relative", "runpath");
        for (String mode : modes) {
            Path target = copy(file, work.resolve(mode).resolve(sub).resolve(name));
            List<ElfEdit> edits = new ArrayList<>();
            List<ByteString> expectedNeeded = new ArrayList<>();
            Optional<ByteString> expectedSearch = elf.runpath().or(elf::rpath);
            switch (mode) {
                case "absolute" -> {
                    for (ByteString n : elf.needed()) {
                        Path to = resolved.get(n);
                        if (to != null && !isLoader(n)) {
                            edits.add(new ElfEdit.ReplaceNeeded(n, ByteString.utf8(to.toString())));
                            expectedNeeded.add(ByteString.utf8(to.toString()));
                        } else {
                            expectedNeeded.add(n);
                        }
                    }
                    edits.add(new ElfEdit.RemoveSearchPath());
                    expectedSearch = Optional.empty();
                }
                case "relative" -> {
                    List<ByteString> paths = new ArrayList<>();
                    for (ByteString n : elf.needed()) {
                        Path from = resolved.get(n);
                        if (from != null && !isLoader(n) && !n.contains((byte) '/')) {
                            copy(from, work.resolve(mode).resolve("lib").resolve(n.utf8()));
                            paths.add(ByteString.utf8("$ORIGIN/../lib/").concat(n));
                        }
                    }
                    expectedNeeded.addAll(paths);
                    expectedNeeded.addAll(elf.needed());
                    edits.add(new ElfEdit.SetNeeded(expectedNeeded));
                }
                default -> {
                    SearchPathTag tag = elf.runpath().isEmpty() && elf.rpath().isPresent()
                            ? SearchPathTag.RPATH : SearchPathTag.RUNPATH;
                    ByteString longer = ByteString.utf8(LONG_DIR + expectedSearch.map(s -> ":" + s.utf8()).orElse(""));
                    edits.add(new ElfEdit.SetSearchPath(longer, tag));
                    expectedNeeded.addAll(elf.needed());
                    expectedSearch = Optional.of(longer);
                }
            }
            String where = file + " [" + mode + "]";
            ElfEditor.edit(target, target, edits);
            tally.edits().incrementAndGet();

            ElfFile edited = ElfFile.open(target);
            try {
                ElfEditorTest.assertValidLayout(edited);
            } catch (AssertionError e) {
                failures.add(where + ": layout: " + e.getMessage());
            }
            checkReadelf(target, expectedNeeded, expectedSearch, mode.equals("absolute") ? resolved : null, where, failures);
            Set<String> newLint = lint(target);
            newLint.removeAll(originalLint);
            if (!newLint.isEmpty()) {
                failures.add(where + ": new eu-elflint messages " + newLint);
            }
            if (comparable) {
                Behaviours.Run editedRun = () -> program ? behaviour(target, work) : load(target);
                if (!Behaviours.matches(editedRun, baseline)) {
                    failures.add(where + ": behaves differently:\n--- original\n" + String.join("\n--- or\n", baseline)
                            + "\n--- edited\n" + editedRun.once());
                }
                (program ? tally.ran() : tally.loaded()).incrementAndGet();
            }
        }
    }

    private static boolean isLoader(ByteString name) {
        return ElfClassifier.familyOfLoaderName(ElfClassifier.basename(name)) != LoaderFamily.UNKNOWN;
    }

    /** What the loader resolves each DT_NEEDED name to ({@code ld.so --list}, as ldd does). */
    private static Map<ByteString, Path> resolve(Path file, ElfFile elf) throws IOException {
        String loader = elf.interpreterPath().map(ByteString::utf8)
                .filter(i -> i.contains("ld-linux") && Files.exists(Path.of(i))).orElse("/lib64/ld-linux-x86-64.so.2");
        Native.Result r = Native.run(file.getParent(), loader, "--list", file.toString());
        Map<ByteString, Path> map = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            String[] parts = line.trim().split(" => ");
            if (parts.length == 2 && !parts[1].startsWith("not found")) {
                String path = parts[1].replaceAll(" \\(0x[0-9a-f]+\\)$", "");
                map.put(ByteString.utf8(parts[0]), Path.of(path));
            }
        }
        return map;
    }

    private static void checkReadelf(Path file, List<ByteString> needed, Optional<ByteString> search,
            Map<ByteString, Path> versionFiles, String where, List<String> failures) throws IOException {
        Native.Result d = Native.run(file.getParent(), "readelf", "-dW", file.toString());
        List<String> shownNeeded = new ArrayList<>();
        List<String> shownSearch = new ArrayList<>();
        for (String line : d.out().split("\n")) {
            if (line.contains("(NEEDED)")) {
                shownNeeded.add(between(line, "Shared library: ["));
            } else if (line.contains("(RUNPATH)") || line.contains("(RPATH)")) {
                shownSearch.add(between(line, "path: ["));
            }
        }
        List<String> wantNeeded = needed.stream().map(ByteString::utf8).toList();
        List<String> wantSearch = search.map(s -> List.of(s.utf8())).orElse(List.of());
        if (!shownNeeded.equals(wantNeeded) || !shownSearch.equals(wantSearch) || d.err().contains("Error")) {
            failures.add(where + ": readelf -d shows NEEDED " + shownNeeded + " search " + shownSearch + ", wanted "
                    + wantNeeded + " " + wantSearch + " " + d.err());
        }
        if (versionFiles != null) {
            Native.Result v = Native.run(file.getParent(), "readelf", "-VW", file.toString());
            for (String line : v.out().split("\n")) {
                int at = line.indexOf("File: ");
                if (at >= 0) {
                    String vnFile = line.substring(at + 6).replaceAll("\\s+Cnt:.*$", "");
                    if (!wantNeeded.contains(vnFile)) {
                        failures.add(where + ": version need file " + vnFile + " matches no DT_NEEDED " + wantNeeded);
                    }
                }
            }
        }
    }

    private static String between(String line, String start) {
        int from = line.indexOf(start) + start.length();
        return line.substring(from, line.lastIndexOf(']'));
    }

    /** Exit code and output of {@code ./NAME --version}, run in the program's directory, paths normalised. */
    private static String behaviour(Path program, Path work) throws IOException {
        Native.Result r = null;
        // ETXTBSY: a child forked by another test thread can briefly hold a just-written file open.
        for (int attempt = 0; attempt < 5 && (r == null || r.err().contains("Text file busy")); attempt++) {
            sleepIf(attempt > 0);
            try {
                r = Native.run(program.getParent(), Map.of("LC_ALL", "C", "HOME", work.toString(), "TERM", "dumb"),
                        List.of("timeout", "-k", "1", "5", "./" + program.getFileName(), "--version"));
            } catch (IOException e) {
                return null;
            }
        }
        if (r.exit() == 124 || r.exit() == 137) {
            return null;
        }
        String modeDir = program.getParent().getParent().toString();
        return ("exit " + r.exit() + "\n" + r.out() + r.err()).replace(modeDir, "MODE");
    }

    private static void sleepIf(boolean wait) {
        if (wait) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String load(Path library) throws IOException {
        Native.Result r = Native.run(library.getParent(), dlcheck.toString(), library.toString());
        return r.exit() == 0 ? "loaded" : "failed: " + r.err().replace(library.toString(), "LIB");
    }

    private static Set<String> lint(Path file) throws IOException {
        Native.Result r = Native.run(file.getParent(), "eu-elflint", "--gnu-ld", "-q", file.toString());
        Set<String> lines = new TreeSet<>();
        for (String line : (r.out() + r.err()).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.replace(file.toString(), "FILE"));
            }
        }
        return lines;
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        to.toFile().setWritable(true, true);
        to.toFile().setExecutable(true, false);
        return to;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp directory; JUnit removes what is left
        }
    }
}
