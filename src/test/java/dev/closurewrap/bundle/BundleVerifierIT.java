package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.bundle.VerifyReport.InterpreterProblem;
import dev.closurewrap.bundle.VerifyReport.Location;
import dev.closurewrap.bundle.VerifyReport.RemainingReference;
import dev.closurewrap.bundle.VerifyReport.SecureExecCase;
import dev.closurewrap.bundle.VerifyReport.UnresolvedLibrary;
import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfEditor;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.rewrite.BundleScripts;
import dev.closurewrap.rewrite.BundledLoader;
import dev.closurewrap.rewrite.ExecShimPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify on bundles made by hand from the real test closure: store paths copied into
 * {@code T/store}, a few ELF files edited with the ELF editor so that some DT_NEEDED entries
 * resolve inside the bundle and some do not, one program behind a real exec shim.
 */
class BundleVerifierIT {
    @TempDir
    Path temp;

    private static final Path STORE = Path.of("/nix/store");

    private static String base(String pkg) throws IOException {
        return TestClosure.path(pkg).getFileName().toString();
    }

    /** Copies store paths into {@code bundle/store}, writable so the test can edit them. */
    private static void copyIn(Path bundle, List<Path> storePaths) throws IOException {
        Path store = bundle.resolve("store");
        Files.createDirectories(store);
        List<String> command = new ArrayList<>(List.of("cp", "-a"));
        storePaths.forEach(p -> command.add(p.toString()));
        command.add(store.toString());
        TestClosure.run(command);
        TestClosure.run(List.of("chmod", "-R", "u+w", store.toString()));
    }

    private static void replaceNeeded(Path file, String from, String to) throws IOException {
        assertTrue(ElfEditor.edit(file, file, List.of(new ElfEdit.ReplaceNeeded(ByteString.utf8(from),
                ByteString.utf8(to)))), "edit changed " + file);
    }

    private static VerifyReport verify(Path bundle) throws IOException {
        return new BundleVerifier(BundleVerifier.Options.defaults(STORE, 2)).verify(bundle);
    }

    /** With the bundle's glibc loader asked for its settings (the test closure's is Debian's own). */
    private static VerifyReport verifyProbing(Path bundle) throws IOException {
        return new BundleVerifier(BundleVerifier.Options.probing(STORE, 2)).verify(bundle);
    }

    @Test
    void editedBundle_reportsExactlyWhatDoesNotResolveInside() throws Exception {
        Path bundle = temp.resolve("b");
        List<Path> paths = new ArrayList<>();
        for (String pkg : List.of("glibc", "xz", "zlib", "musl", "libgreet", "hello-musl")) {
            paths.add(TestClosure.path(pkg));
        }
        copyIn(bundle, paths);
        Path store = bundle.resolve("store");
        String glibc = base("glibc");
        String xz = base("xz");
        String zlib = base("zlib");
        String musl = base("musl");
        String libgreet = base("libgreet");
        String helloMusl = base("hello-musl");

        // xz: both needs point into the bundle; the program goes behind an exec shim that runs it
        // through the bundle's glibc loader, so its PT_INTERP (old store) does not matter.
        Path xzBin = store.resolve(xz + "/bin");
        replaceNeeded(xzBin.resolve("xz"), "liblzma.so.5", "$ORIGIN/../lib/liblzma.so.5");
        replaceNeeded(xzBin.resolve("xz"), "libc.so.6", "$ORIGIN/../../" + glibc + "/lib/libc.so.6");
        Files.move(xzBin.resolve("xz"), xzBin.resolve(".xz-real"));
        byte[] shim = BundleScripts.execShim(new ExecShimPlan(ByteString.utf8(xz + "/bin/xz"),
                ByteString.utf8(xz + "/bin/.xz-real"), new BundledLoader(ByteString.utf8(glibc
                        + "/lib/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC), List.of()));
        Files.write(xzBin.resolve("xz"), shim);
        Files.setPosixFilePermissions(xzBin.resolve("xz"), PosixFilePermissions.fromString("r-xr-xr-x"));
        // liblzma (loaded by xz): libc by an absolute host path, found on the host.
        replaceNeeded(store.resolve(xz + "/lib/liblzma.so.5.4.1"), "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6");
        // zlib (no program loads it): a $ORIGIN path to nothing.
        replaceNeeded(store.resolve(zlib + "/lib/libz.so.1.2.13"), "libc.so.6",
                "$ORIGIN/../../" + glibc + "/lib/libc.so.7");
        // hello-musl: musl does not expand $ORIGIN in DT_NEEDED, so this is a literal relative path;
        // no shim, so its PT_INTERP (old store) starts it. File capabilities make it AT_SECURE.
        Path hello = store.resolve(helloMusl + "/bin/hello-musl");
        replaceNeeded(hello, "libgreet.so.1", "$ORIGIN/../../" + libgreet + "/lib/libgreet.so.1");
        TestClosure.run(List.of("setcap", "cap_net_raw+ep", hello.toString()));
        TestClosure.run(List.of("chmod", "u+s", xzBin.resolve(".xz-real").toString()));

        VerifyReport report = verify(bundle);

        String hostLibc = Path.of("/lib/x86_64-linux-gnu/libc.so.6").toRealPath().toString();
        assertEquals(List.of(
                new UnresolvedLibrary("store/" + xz + "/lib/liblzma.so.5.4.1",
                        ByteString.utf8("/lib/x86_64-linux-gnu/libc.so.6"), Location.HOST, Optional.of(hostLibc),
                        List.of("store/" + xz + "/bin/.xz-real")),
                new UnresolvedLibrary("store/" + helloMusl + "/bin/hello-musl",
                        ByteString.utf8("$ORIGIN/../../" + libgreet + "/lib/libgreet.so.1"), Location.NOWHERE,
                        Optional.empty(), List.of("store/" + helloMusl + "/bin/hello-musl")),
                new UnresolvedLibrary("store/" + zlib + "/lib/libz.so.1.2.13",
                        ByteString.utf8("$ORIGIN/../../" + glibc + "/lib/libc.so.7"), Location.NOWHERE,
                        Optional.empty(), List.of())),
                report.unresolved());
        assertEquals(List.of(new InterpreterProblem("store/" + helloMusl + "/bin/hello-musl",
                ByteString.utf8(STORE + "/" + musl + "/lib/ld-musl-x86_64.so.1"), Location.OLD_STORE)),
                report.interpreters());
        assertEquals(List.of(
                new SecureExecCase("store/" + xz + "/bin/.xz-real", List.of("setuid"), true, false),
                new SecureExecCase("store/" + helloMusl + "/bin/hello-musl",
                        List.of("file capabilities cap_net_raw=ep"), true, false)), report.secureExec());
        assertFalse(report.librariesClean());
        assertEquals(2, report.programs());

        // Every remaining reference, checked against grep over the same files.
        Set<String> grepped = grepStoreReferences(bundle);
        assertTrue(grepped.size() >= 5, grepped.toString());
        assertEquals(grepped, referencesOfRegularFiles(report));
        RemainingReference interp = report.references().stream()
                .filter(r -> r.file().equals("store/" + helloMusl + "/bin/hello-musl"))
                .filter(r -> r.section().equals(Optional.of(".interp"))).findFirst().orElseThrow();
        assertEquals(ByteString.utf8(STORE + "/" + musl), interp.string());
        assertFalse(interp.shimmedInterpreter(), "hello-musl has no shim: its PT_INTERP starts it");
        assertEquals(ElfFile.open(hello).section(".interp").orElseThrow().offset(), interp.offset());
        assertTrue(report.references().stream().noneMatch(r -> r.file().equals("store/" + xz + "/bin/xz")),
                "the shim names no store path");
    }

    @Test
    void relativelyRewrittenBundle_isClean_andItsProgramRuns() throws Exception {
        Path bundle = temp.resolve("rel");
        copyIn(bundle, List.of(TestClosure.path("glibc"), TestClosure.path("xz")));
        Path store = bundle.resolve("store");
        String glibc = base("glibc");
        String xz = base("xz");
        // What relative mode does (README section 4): $ORIGIN paths first, the sonames after them,
        // $ORIGIN search paths; the program behind an exec shim.
        Path xzBin = store.resolve(xz + "/bin");
        ElfEditor.edit(xzBin.resolve("xz"), xzBin.resolve(".xz-real"), List.of(
                new ElfEdit.SetNeeded(List.of(ByteString.utf8("$ORIGIN/../lib/liblzma.so.5"),
                        ByteString.utf8("$ORIGIN/../../" + glibc + "/lib/libc.so.6"),
                        ByteString.utf8("liblzma.so.5"), ByteString.utf8("libc.so.6"))),
                new ElfEdit.SetSearchPath(ByteString.utf8("$ORIGIN/../lib:$ORIGIN/../../" + glibc + "/lib"),
                        SearchPathTag.RUNPATH)));
        Files.delete(xzBin.resolve("xz"));
        Files.write(xzBin.resolve("xz"), BundleScripts.execShim(new ExecShimPlan(ByteString.utf8(xz + "/bin/xz"),
                ByteString.utf8(xz + "/bin/.xz-real"), new BundledLoader(ByteString.utf8(glibc
                        + "/lib/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC), List.of())));
        Files.setPosixFilePermissions(xzBin.resolve("xz"), PosixFilePermissions.fromString("r-xr-xr-x"));
        Path lzma = store.resolve(xz + "/lib/liblzma.so.5.4.1");
        ElfEditor.edit(lzma, lzma, List.of(
                new ElfEdit.SetNeeded(List.of(ByteString.utf8("$ORIGIN/../../" + glibc + "/lib/libc.so.6"),
                        ByteString.utf8("libc.so.6"))),
                new ElfEdit.SetSearchPath(ByteString.utf8("$ORIGIN/../../" + glibc + "/lib"), SearchPathTag.RUNPATH)));

        VerifyReport report = verifyProbing(bundle);

        assertEquals(List.of(), report.unresolved());
        assertEquals(List.of(), report.interpreters());
        assertTrue(report.librariesClean());
        // Left: the real program's PT_INTERP, which the shim makes irrelevant; reported as a warning.
        assertEquals(List.of("store/" + xz + "/bin/.xz-real"), report.references().stream()
                .map(RemainingReference::file).distinct().toList());
        RemainingReference interp = report.references().stream()
                .filter(r -> r.section().equals(Optional.of(".interp"))).findFirst().orElseThrow();
        assertTrue(interp.shimmedInterpreter(), "the shim runs .xz-real: its PT_INTERP is unused");
        assertFalse(report.clean());
        // And the program runs through its shim, every library from the bundle.
        TestClosure.Output run = TestClosure.execute(List.of(xzBin.resolve("xz").toString(), "--version"),
                Map.of("LD_DEBUG", "libs"));
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().startsWith("xz (XZ Utils)"), run.stdout());
        assertFalse(run.stderr().contains("/nix/store/"), run.stderr());
    }

    @Test
    void untouchedCopy_everyProgramLoadsFromTheOldStore() throws Exception {
        Path bundle = temp.resolve("copy");
        copyIn(bundle, TestClosure.closure());

        VerifyReport report = verify(bundle);

        assertFalse(report.librariesClean());
        assertTrue(report.unresolved().stream().allMatch(u -> u.location() == Location.OLD_STORE
                && u.foundAt().orElseThrow().startsWith(STORE + "/")), "everything resolves to the old store");
        // Each program: its loader and every DT_NEEDED entry that is not the C library's own come from /nix/store.
        Path storeDir = bundle.toRealPath().resolve("store");
        Map<String, Set<ByteString>> neededByProgram = new TreeMap<>();
        try (Stream<Path> files = Files.walk(storeDir)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Optional<ElfFile> elf = ElfFile.openIfElf(f);
                if (elf.isPresent() && elf.get().interpreterPath().isPresent()
                        && elf.get().kind() != dev.closurewrap.elf.ElfKind.SHARED_LIBRARY
                        && elf.get().kind() != dev.closurewrap.elf.ElfKind.LOADER) {
                    Set<ByteString> needed = new TreeSet<>(elf.get().needed());
                    needed.remove(ByteString.utf8("libc.so")); // musl: the loader itself
                    neededByProgram.put("store/" + storeDir.relativize(f), needed);
                }
            }
        }
        assertEquals(6, neededByProgram.size(), neededByProgram.keySet().toString());
        assertEquals(neededByProgram.keySet(), report.interpreters().stream().map(InterpreterProblem::program)
                .collect(Collectors.toCollection(TreeSet::new)));
        assertTrue(report.interpreters().stream().allMatch(p -> p.location() == Location.OLD_STORE));
        Map<String, Set<ByteString>> reported = new TreeMap<>();
        for (UnresolvedLibrary u : report.unresolved()) {
            if (neededByProgram.containsKey(u.object())) {
                reported.computeIfAbsent(u.object(), k -> new TreeSet<>()).add(u.needed());
            }
        }
        assertEquals(neededByProgram, reported);
        // Libraries no program loads from the bundle are checked on their own: curl's libcurl among them.
        String libcurl = "store/" + base("libcurl") + "/lib/libcurl.so.4.8.0";
        assertTrue(report.unresolved().stream().anyMatch(u -> u.object().equals(libcurl) && u.programs().isEmpty()));
    }

    /** (file, offset, string) of every store path in the bundle's regular files, by grep (symlinks not followed). */
    private static Set<String> grepStoreReferences(Path bundle) throws IOException {
        return parseGrep(TestClosure.execute(List.of("sh", "-c", "cd \"$1\" && grep -roba -E \"$2\" store",
                "sh", bundle.toString(), STORE + "/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+"), Map.of()).stdout());
    }

    private static Set<String> parseGrep(String output) {
        Set<String> result = new TreeSet<>();
        for (String line : output.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            // file:offset:match; store file names hold no ':'.
            int first = line.indexOf(':');
            int second = line.indexOf(':', first + 1);
            result.add(line.substring(0, first) + "@" + line.substring(first + 1, second) + "=" + line.substring(second + 1));
        }
        return result;
    }

    private static Set<String> referencesOfRegularFiles(VerifyReport report) {
        return report.references().stream().filter(r -> !r.symlink())
                .map(r -> r.file() + "@" + r.offset() + "=" + r.string())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
