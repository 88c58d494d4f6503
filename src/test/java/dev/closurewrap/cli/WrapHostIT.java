package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host mode: {@code closure-wrap --relative /usr/bin/curl ... -o OUT} bundles host programs with every
 * library the host's loader loads for them (and the loader itself) under {@code OUT/host/<host path>}.
 * The bundle is moved and run with the host's libraries hidden (facts.md, "Testing relocation"): each
 * program prints what the original prints, and strace sees no failed library lookup.
 */
class WrapHostIT {
    private static final String LOADER = "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

    /** Host programs with several levels of libraries (ssh: libgssapi_krb5 → libkrb5 → libk5crypto ...), and how each tells its version. */
    private static final Map<String, List<String>> PROGRAMS = new LinkedHashMap<>();

    static {
        PROGRAMS.put("/usr/bin/curl", List.of("--version"));
        PROGRAMS.put("/usr/bin/ssh", List.of("-V"));
        PROGRAMS.put("/usr/bin/git", List.of("--version"));
        PROGRAMS.put("/usr/bin/file", List.of("--version"));
    }

    @TempDir
    Path dir;

    @Test
    void relative_tarball_moved_withHostLibrariesHidden_runsEachProgram_withNoFailedLibraryLookup() throws IOException {
        Path tarball = dir.resolve("host.tar.zst");
        List<String> args = new ArrayList<>(List.of("--relative", "-q", "-o", tarball.toString()));
        args.addAll(PROGRAMS.keySet());
        // A root given by a symlink: the launcher and the program keep the name it was called by.
        args.add("/usr/bin/unxz");
        WrapTesting.Result r = WrapTesting.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());

        Path moved = Files.createDirectories(dir.resolve("elsewhere/host bundle"));
        TestClosure.run(List.of("tar", "-xf", tarball.toString(), "-C", moved.toString()));
        Path tree = moved.resolve("host");

        // The layout: host paths below host/, soname links kept as links, the loader bundled, launchers in bin/.
        Set<String> launchers = new TreeSet<>();
        try (Stream<Path> bin = Files.list(moved.resolve("bin"))) {
            bin.forEach(p -> launchers.add(p.getFileName().toString()));
        }
        assertEquals(Set.of("curl", "ssh", "git", "file", "unxz"), launchers);
        assertTrue(Files.readString(tree.resolve("usr/bin/curl")).startsWith("#!/bin/sh\n# closure-wrap exec shim"));
        Path libcurl = tree.resolve("usr/lib/x86_64-linux-gnu/libcurl.so.4");
        assertTrue(Files.isSymbolicLink(libcurl));
        assertEquals(Path.of("/usr/lib/x86_64-linux-gnu/libcurl.so.4").toRealPath().getFileName(),
                Files.readSymbolicLink(libcurl));
        assertTrue(Files.isRegularFile(tree.resolve(LOADER), LinkOption.NOFOLLOW_LINKS));
        assertEquals(Path.of("xz"), Files.readSymbolicLink(tree.resolve("usr/bin/unxz")));
        List<ByteString> needed = ElfFile.open(tree.resolve("usr/bin/.curl-real")).needed();
        assertTrue(needed.get(0).utf8().startsWith("$ORIGIN/../lib/x86_64-linux-gnu/libcurl.so.4"), needed.toString());
        assertTrue(needed.contains(ByteString.utf8("libcurl.so.4")), "sonames stay after the paths: " + needed);
        String manifest = Files.readString(moved.resolve("closure-wrap.json"));
        assertTrue(manifest.contains("\"tree\" : \"host\""), manifest);

        // verify, from where the bundle is now, finds every library inside it.
        WrapTesting.Result verified = WrapTesting.run("verify", moved.toString());
        assertEquals(0, verified.code(), verified.out() + verified.err());
        assertTrue(verified.out().contains("every library resolves inside the bundle"), verified.out());

        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, Path> runs = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : PROGRAMS.entrySet()) {
            String name = Path.of(e.getKey()).getFileName().toString();
            List<String> command = new ArrayList<>(List.of(e.getKey()));
            command.addAll(e.getValue());
            TestClosure.Output o = TestClosure.execute(command, Map.of());
            assertEquals(0, o.exitCode(), name + ": " + o.stderr());
            expected.put(name, o.stdout() + o.stderr());
            runs.put(name, moved.resolve("bin").resolve(name));
        }
        assertTrue(expected.get("curl").startsWith("curl "), expected.get("curl"));
        // unxz decompresses only when it is called unxz: the name reaches the program.
        Path compressed = dir.resolve("hello.xz");
        TestClosure.run(List.of("sh", "-c", "printf 'hello from xz\\n' | xz > '" + compressed + "'"));

        Path results = Files.createDirectories(dir.resolve("results"));
        StringBuilder script = WrapTesting.hidingScript(dir, false);
        for (Map.Entry<String, Path> e : runs.entrySet()) {
            script.append("'").append(e.getValue()).append("'");
            for (String arg : PROGRAMS.get("/usr/bin/" + e.getKey())) {
                script.append(" ").append(arg);
            }
            script.append(" > '").append(results.resolve(e.getKey() + ".out")).append("' 2>&1\n")
                    .append("echo $? > '").append(results.resolve(e.getKey() + ".rc")).append("'\n");
        }
        script.append("'").append(moved.resolve("bin/unxz")).append("' < '").append(compressed).append("' > '")
                .append(results.resolve("unxz.out")).append("' 2>&1\n")
                .append("echo $? > '").append(results.resolve("unxz.rc")).append("'\n");
        expected.put("unxz", "hello from xz\n");
        Path trace = WrapTesting.runHidden(dir, script);

        assertEquals(List.of(), WrapTesting.versionMismatches(expected, results, text -> text));
        assertEquals(List.of(), WrapTesting.failedLibraryLookups(trace, WrapTesting.HOST_LIBS_HIDDEN));

        // The counter is not blind: the bundled loader running the original curl searches for its
        // libraries (ld.so.cache names the hidden directory) and fails.
        Path unwrapped = WrapTesting.runHidden(dir, WrapTesting.hidingScript(dir, false).append("'").append(tree.resolve(LOADER))
                .append("' /usr/bin/curl --version\n"));
        assertFalse(WrapTesting.failedLibraryLookups(unwrapped, WrapTesting.HOST_LIBS_HIDDEN).isEmpty());
    }

    @Test
    void absolute_withPrefix_runsInPlace_withHostLibrariesHidden_withNoFailedLibraryLookup() throws IOException {
        Path out = dir.resolve("opt-app");
        Path tree = out.resolve("host");
        WrapTesting.Result r = WrapTesting.run("--absolute", "--prefix", tree.toString(), "-q", "-o", out.toString(),
                "/usr/bin/curl", "/usr/bin/ssh");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("bin")), "absolute mode needs no launchers");
        ElfFile curl = ElfFile.open(tree.resolve("usr/bin/curl"));
        assertEquals(tree.resolve(LOADER).toString(), curl.interpreterPath().orElseThrow().utf8());
        assertTrue(curl.needed().stream().allMatch(n -> n.utf8().startsWith(tree + "/")
                || n.utf8().equals("ld-linux-x86-64.so.2")), curl.needed().toString());
        WrapTesting.Result verified = WrapTesting.run("verify", out.toString());
        assertEquals(0, verified.code(), verified.out() + verified.err());

        TestClosure.Output original = TestClosure.execute(List.of("/usr/bin/curl", "--version"), Map.of());
        Path results = Files.createDirectories(dir.resolve("results"));
        StringBuilder script = WrapTesting.hidingScript(dir, false)
                .append("'").append(tree.resolve("usr/bin/curl")).append("' --version > '")
                .append(results.resolve("curl.out")).append("' 2>&1\n")
                .append("echo $? > '").append(results.resolve("curl.rc")).append("'\n");
        Path trace = WrapTesting.runHidden(dir, script);
        assertEquals("0", Files.readString(results.resolve("curl.rc")).strip());
        assertEquals(original.stdout() + original.stderr(), Files.readString(results.resolve("curl.out")));
        assertEquals(List.of(), WrapTesting.failedLibraryLookups(trace, WrapTesting.HOST_LIBS_HIDDEN));
    }

    @Test
    void relative_programBuiltHere_withRunpathAndVersionedLibrary_runsAfterItsBuildDirectoryIsGone()
            throws IOException {
        // A program outside the system directories: its library is found through its RUNPATH only,
        // and carries symbol versions (a $ORIGIN entry alone would fail glibc's version check).
        Path build = Files.createDirectories(dir.resolve("build"));
        Path lib = Files.createDirectories(build.resolve("opt/greet/lib"));
        Path bin = Files.createDirectories(build.resolve("opt/greet/bin"));
        Files.writeString(build.resolve("greet.c"), "#include <stdio.h>\nvoid greet(void) { puts(\"hello from libgreet\"); }\n");
        Files.writeString(build.resolve("greet.map"), "GREET_1 { global: greet; local: *; };\n");
        Files.writeString(build.resolve("main.c"), "void greet(void);\nint main(void) { greet(); return 0; }\n");
        TestClosure.run(List.of("gcc", "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1",
                "-Wl,--version-script," + build.resolve("greet.map"), "-o", lib.resolve("libgreet.so.1.0").toString(),
                build.resolve("greet.c").toString()));
        Files.createSymbolicLink(lib.resolve("libgreet.so.1"), Path.of("libgreet.so.1.0"));
        TestClosure.run(List.of("gcc", "-o", bin.resolve("greet").toString(), build.resolve("main.c").toString(),
                "-L" + lib, "-l:libgreet.so.1", "-Wl,--enable-new-dtags,-rpath," + lib));

        Path out = dir.resolve("bundle");
        WrapTesting.Result r = WrapTesting.run("--relative", "-q", "-o", out.toString(), bin.resolve("greet").toString());
        assertEquals(0, r.code(), r.err());
        Path tree = out.resolve("host" + bin.getParent().toRealPath());
        ElfFile real = ElfFile.open(tree.resolve("bin/.greet-real"));
        List<String> needed = real.needed().stream().map(ByteString::utf8).toList();
        // Paths first (libc's too: the bundle holds it below host/usr/lib), then the sonames.
        assertEquals("$ORIGIN/../lib/libgreet.so.1.0", needed.get(0), needed.toString());
        assertTrue(needed.get(1).startsWith("$ORIGIN/../") && needed.get(1).endsWith("/usr/lib/x86_64-linux-gnu/libc.so.6"),
                needed.toString());
        assertEquals(List.of("libgreet.so.1", "libc.so.6"), needed.subList(2, 4));
        assertEquals(ByteString.utf8("$ORIGIN/../lib"), real.runpath().orElseThrow());
        assertEquals(Path.of("libgreet.so.1.0"), Files.readSymbolicLink(tree.resolve("lib/libgreet.so.1")));

        Path moved = dir.resolve("moved");
        Files.move(out, moved);
        WrapTesting.deleteTree(build);
        Path trace = dir.resolve("trace");
        TestClosure.Output o = TestClosure.execute(List.of("strace", "-f", "-o", trace.toString(),
                "-e", "trace=openat,open,stat,newfstatat,access", moved.resolve("bin/greet").toString()), Map.of());
        assertEquals(0, o.exitCode(), o.stderr());
        assertEquals("hello from libgreet\n", o.stdout());
        assertEquals(List.of(), WrapTesting.failedLibraryLookups(trace, null));
    }
}
