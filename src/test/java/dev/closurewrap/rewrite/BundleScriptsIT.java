package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the launchers, exec shims and rewritten scripts of a relative bundle of the test closure
 * after the bundle has been moved, without {@code /usr/bin} on PATH, and with {@code /nix/store}
 * hidden under an empty directory. The ELF files are not edited here (not this package's job):
 * shims and launchers pass {@code --library-path}, see {@link TestBundle}.
 */
class BundleScriptsIT {
    private static final Map<String, String> NO_PATH = Map.of("PATH", "/nonexistent");
    private static final String CURL_VERSION = "curl 7.";
    private static final String HELLO_MUSL = "hello from musl via libgreet 1";

    @TempDir
    static Path temp;
    static Path bundle;

    @BeforeAll
    static void buildAndMove() throws IOException {
        TestBundle built = TestBundle.build(temp.resolve("built"));
        bundle = temp.resolve("moved/to/here");
        Files.createDirectories(bundle.getParent());
        Files.move(built.root, bundle);
    }

    private static Path store(String name) throws IOException {
        return bundle.resolve("store").resolve(TestClosure.path(name).getFileName().toString());
    }

    private static TestClosure.Output run(Map<String, String> env, String... command) throws IOException {
        TestClosure.Output output = TestClosure.execute(List.of(command), env);
        assertEquals(0, output.exitCode(), String.join(" ", command) + ": " + output.stderr());
        return output;
    }

    private static String firstLine(TestClosure.Output output) {
        return output.stdout().lines().findFirst().orElse("");
    }

    @Test
    void launchers_movedBundleWithoutUsrBinOnPath_runEveryRootProgram() throws IOException {
        Path bin = bundle.resolve("bin");
        assertTrue(firstLine(run(NO_PATH, bin.resolve("curl").toString(), "--version")).startsWith(CURL_VERSION));
        assertEquals(HELLO_MUSL, firstLine(run(NO_PATH, bin.resolve("hello-musl").toString())));
        assertEquals("busybox sh says hello", firstLine(run(NO_PATH, bin.resolve("app-busybox").toString())));
        Path conf = store("app").resolve("share/app/app.conf");
        assertEquals(conf + ": ASCII text", firstLine(run(NO_PATH, bin.resolve("file").toString(), conf.toString())));
    }

    @Test
    void launcher_scriptRunningStoreProgramsByPath_runsTheBundlesCopies() throws IOException {
        // app-info pipes into head: give it one, from busybox, and nothing else.
        Path tools = temp.resolve("tools-head");
        Files.createDirectories(tools);
        if (!Files.exists(tools.resolve("head"))) {
            Files.createSymbolicLink(tools.resolve("head"), Path.of("/bin/busybox"));
        }
        List<String> lines = run(Map.of("PATH", tools.toString()), bundle.resolve("bin/app-info").toString())
                .stdout().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith(CURL_VERSION), lines.get(0));
        assertEquals(HELLO_MUSL, lines.get(1));
        assertEquals("hello from a static program", lines.get(2));
    }

    @Test
    void wrapper_magicAndPath_nameTheMovedBundle() throws IOException {
        Path wrapper = store("file").resolve("bin/file");
        String magic = store("libmagic").resolve("share/misc/magic.mgc").toString();
        TestClosure.Output version = run(NO_PATH, wrapper.toString(), "--version");
        assertTrue(version.stdout().contains("magic file from " + magic), version.stdout());
        // makeWrapper's PATH edit moves an existing entry to the front instead of adding it twice.
        String xzBin = store("xz").resolve("bin").toString();
        Path printer = temp.resolve("print-path");
        Files.writeString(printer, "#!/bin/sh\necho \"$PATH\"\n");
        Files.setPosixFilePermissions(printer, PosixFilePermissions.fromString("r-xr-xr-x"));
        String edited = rewriteWrapperToRun(wrapper, printer);
        assertEquals(xzBin + ":/a:/b", firstLine(run(Map.of("PATH", "/a:" + xzBin + ":/b"), "/bin/sh", edited)));
    }

    /** A copy of the rewritten wrapper beside it that execs {@code program} instead of .file-wrapped. */
    private static String rewriteWrapperToRun(Path wrapper, Path program) throws IOException {
        String text = Files.readString(wrapper, StandardCharsets.ISO_8859_1);
        String exec = "\"${_cw_s}/" + wrapper.getParent().getParent().getFileName() + "/bin/.file-wrapped\"";
        assertTrue(text.contains(exec), text);
        Path copy = wrapper.resolveSibling("file-print-path");
        Files.writeString(copy, text.replace("hw3jd6b4dhxsp4z4vzr2j1skikp4qp09-file/bin/file\" -ef",
                "hw3jd6b4dhxsp4z4vzr2j1skikp4qp09-file/bin/file-print-path\" -ef").replace(exec, "'" + program + "'"),
                StandardCharsets.ISO_8859_1);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r-xr-xr-x"));
        return copy.toString();
    }

    @Test
    void wrapper_firstRunUnderAnyPosixShell_reExecsTheBundledBash() throws IOException {
        String wrapper = store("file").resolve("bin/file").toString();
        for (List<String> shell : List.of(List.of("/bin/dash"), List.of("/bin/bash", "--posix"), List.of("/bin/busybox", "sh"),
                List.of("/bin/dash", "-eu"))) {
            List<String> command = new ArrayList<>(shell);
            command.addAll(List.of(wrapper, "--version"));
            TestClosure.Output output = TestClosure.execute(command, NO_PATH);
            assertEquals(0, output.exitCode(), command + ": " + output.stderr());
            // file names itself after argv[0]: the wrapper's exec -a "$0" reached it through the shim.
            assertTrue(output.stdout().startsWith("file-5"), command + ": " + output.stdout());
        }
    }

    @Test
    void execShims_programsExecedByStorePathInsideTheBundle_run() throws IOException {
        assertTrue(firstLine(run(NO_PATH, store("xz").resolve("bin/xz").toString(), "--version")).startsWith("xz (XZ Utils)"));
        assertTrue(firstLine(run(NO_PATH, store("curl").resolve("bin/curl").toString(), "--version")).startsWith(CURL_VERSION));
        assertEquals("ok", firstLine(run(NO_PATH, store("bash").resolve("bin/bash").toString(), "-c", "echo ok")));
        assertEquals("ok", firstLine(run(NO_PATH, store("dash").resolve("bin/dash").toString(), "-c", "echo ok")));
    }

    @Test
    void execShim_reachedThroughBuildEnvSymlinkAtAnotherPath_findsItself() throws IOException {
        Path link = store("app").resolve("bin/hello-musl");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(HELLO_MUSL, firstLine(run(NO_PATH, link.toString())));
    }

    @Test
    void launcher_throughSymlinkFromOutsideTheBundle_followsIt() throws IOException {
        Path elsewhere = temp.resolve("elsewhere/bin");
        Files.createDirectories(elsewhere);
        Path link = elsewhere.resolve("hello");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("../../moved/to/here/bin/hello-musl"));
        // readlink is needed for this case only: give PATH just the one command.
        Path tools = temp.resolve("tools-readlink");
        Files.createDirectories(tools);
        if (!Files.exists(tools.resolve("readlink"))) {
            Files.createSymbolicLink(tools.resolve("readlink"), Path.of("/bin/busybox"));
        }
        assertEquals(HELLO_MUSL, firstLine(run(Map.of("PATH", tools.toString()), link.toString())));
        TestClosure.Output without = TestClosure.execute(List.of(link.toString()), NO_PATH);
        assertEquals(127, without.exitCode());
        assertTrue(without.stderr().contains("closure-wrap: cannot find the bundle that holds bin/hello-musl from " + link),
                without.stderr());
    }

    @Test
    void launcher_throughSymlinkedDirectoryAndRelativePaths_noExternalCommand() throws IOException {
        Path linkedDir = temp.resolve("linked-bundle");
        if (!Files.exists(linkedDir)) {
            Files.createSymbolicLink(linkedDir, bundle);
        }
        assertEquals(HELLO_MUSL, firstLine(run(NO_PATH, linkedDir.resolve("bin/hello-musl").toString())));
        TestClosure.Output relative = TestClosure.execute(List.of("/bin/sh", "-c", "cd " + bundle + " && /bin/sh bin/hello-musl && cd bin && /bin/sh hello-musl"),
                NO_PATH);
        assertEquals(HELLO_MUSL + "\n" + HELLO_MUSL + "\n", relative.stdout(), relative.stderr());
    }

    @Test
    void launcherAndShim_argv0_glibcAndMuslLoaders_passTheBundlePath() throws IOException {
        Path source = temp.resolve("argv0.c");
        Files.writeString(source, "#include <stdio.h>\nint main(int c, char **v) { puts(v[0]); return 0; }\n");
        String glibc = TestClosure.path("glibc").getFileName().toString();
        String musl = TestClosure.path("musl").getFileName().toString();
        // musl's loader is reached through its ld-musl-x86_64.so.1 symlink, as nixpkgs' PT_INTERP names it.
        argv0Case("0123456789abcdfghijklmnpqrsvwxyz-argv0", "gcc", source,
                new BundledLoader(ByteString.utf8(glibc + "/lib/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC), glibc + "/lib");
        argv0Case("1123456789abcdfghijklmnpqrsvwxyz-argv0-musl", "musl-gcc", source,
                new BundledLoader(ByteString.utf8(musl + "/lib/ld-musl-x86_64.so.1"), LoaderFamily.MUSL), musl + "/lib");
    }

    /** A program that prints argv[0], placed in the bundle as one more store path, with a shim and a launcher. */
    private static void argv0Case(String name, String compiler, Path source, BundledLoader loader, String libDir)
            throws IOException {
        String program = name.substring(33);
        Path dir = bundle.resolve("store").resolve(name).resolve("bin");
        Files.createDirectories(dir);
        Path real = dir.resolve("." + program + "-real");
        TestClosure.run(List.of(compiler, "-o", real.toString(), source.toString()));
        List<ByteString> libraryPath = List.of(ByteString.utf8(libDir));
        Path shim = dir.resolve(program);
        ByteString shimInStore = ByteString.utf8(name + "/bin/" + program);
        ByteString realInStore = ByteString.utf8(name + "/bin/." + program + "-real");
        Files.write(shim, BundleScripts.execShim(new ExecShimPlan(shimInStore, realInStore, loader, libraryPath)));
        Path launcher = bundle.resolve("bin").resolve(program);
        Files.write(launcher, BundleScripts.launcher(new LauncherPlan(ByteString.utf8(program), shimInStore, realInStore,
                Optional.of(loader), libraryPath)));
        for (Path script : List.of(shim, launcher)) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        Path linkedDir = temp.resolve("linked-for-argv0");
        if (!Files.exists(linkedDir)) {
            Files.createSymbolicLink(linkedDir, bundle);
        }
        // The launcher passes the canonical bundle path of the root's bin/ entry, even when reached
        // through a symlinked directory.
        String canonical = bundle.toRealPath().resolve("store").resolve(name).resolve("bin").resolve(program).toString();
        assertEquals(canonical, firstLine(run(NO_PATH, linkedDir.resolve("bin").resolve(program).toString())));
        // A shim passes its own path as invoked: the caller's exec path, which leads to the program.
        assertEquals(shim.toString(), firstLine(run(NO_PATH, shim.toString())));
    }

    @Test
    void symlinks_everyLinkInTheMovedBundle_relativeAndResolvingInsideIt() throws IOException {
        Path root = bundle.toRealPath();
        int links = 0;
        try (Stream<Path> files = Files.walk(bundle.resolve("store"))) {
            for (Path file : files.filter(Files::isSymbolicLink).toList()) {
                Path target = Files.readSymbolicLink(file);
                assertTrue(!target.isAbsolute(), file + " -> " + target);
                assertTrue(file.toRealPath().startsWith(root), file + " leads out of the bundle");
                links++;
            }
        }
        assertTrue(links >= 10, "only " + links + " symlinks");
    }

    @Test
    void everything_withNixStoreHidden_stillRuns() throws IOException {
        Assumptions.assumeTrue("0".equals(TestClosure.run(List.of("id", "-u")).strip()), "needs root for unshare -m");
        Path empty = temp.resolve("empty");
        Files.createDirectories(empty);
        String b = bundle.toString();
        String script = String.join("\n",
                "set -e",
                "mount --bind " + empty + " /nix/store",
                "test -z \"$(ls -A /nix/store)\"",
                "export PATH=/nonexistent",
                b + "/bin/curl --version",
                b + "/bin/hello-musl",
                b + "/bin/app-busybox",
                b + "/bin/file " + b + "/bin/file",
                b + "/bin/file --version",
                store("app") + "/bin/curl --version",
                store("xz") + "/bin/xz --version",
                "PATH=/bin " + b + "/bin/app-info",
                "");
        TestClosure.Output output = TestClosure.execute(List.of("unshare", "-m", "/bin/sh", "-c", script), Map.of());
        assertEquals(0, output.exitCode(), output.stdout() + output.stderr());
        String out = output.stdout();
        assertTrue(out.contains(HELLO_MUSL) && out.contains("busybox sh says hello") && out.contains("POSIX shell script")
                && out.contains("magic file from " + store("libmagic")) && out.contains("xz (XZ Utils)")
                && out.contains("hello from a static program"), out);
        assertEquals(3, out.lines().filter(line -> line.startsWith(CURL_VERSION)).count(), out);
    }

    @Test
    void perlAndPythonScripts_runByTheBundledInterpreterWithTheirOwnPath() throws IOException {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "needs Debian's python3");
        Path root = temp.resolve("interpreters");
        String perlPath = "5ll6bn0rqr4p8kcq3v5s1bw8wck8dvns-perl";
        String pythonPath = "9jqzw0y4a2c3rkfrjmqy5sgfsbl9sqn1-python3";
        String tool = "1ll6bn0rqr4p8kcq3v5s1bw8wck8dvns-tool";
        for (String[] link : new String[][] {{perlPath + "/bin/perl", "/usr/bin/perl"}, {pythonPath + "/bin/python3", python.toString()}}) {
            Path at = root.resolve("store").resolve(link[0]);
            Files.createDirectories(at.getParent());
            Files.createSymbolicLink(at, Path.of(link[1]));
        }
        ScriptRewriter rewriter = new ScriptRewriter(ByteString.utf8("/nix/store"),
                Set.of(ByteString.utf8(perlPath), ByteString.utf8(pythonPath), ByteString.utf8(tool)));
        Map<String, String> scripts = Map.of(
                "ptool", "#!/nix/store/" + perlPath + "/bin/perl -w\nprint \"$0 @ARGV $^W\\n\";\n",
                "pytool", "#!/nix/store/" + pythonPath + "/bin/python3 -O\n\"\"\"Doc.\"\"\"\nimport sys\n"
                        + "print(sys.argv[0], *sys.argv[1:], sys.flags.optimize, __doc__ is not None)\n");
        Path bin = root.resolve("store").resolve(tool).resolve("bin");
        Files.createDirectories(bin);
        for (Map.Entry<String, String> script : scripts.entrySet()) {
            Path file = bin.resolve(script.getKey());
            Files.write(file, rewriter.relocate(ByteString.utf8(tool + "/bin/" + script.getKey()),
                    script.getValue().getBytes(StandardCharsets.UTF_8)).orElseThrow().content());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        assertEquals(bin.resolve("ptool") + " a b 1", firstLine(run(NO_PATH, bin.resolve("ptool").toString(), "a", "b")));
        assertEquals(bin.resolve("pytool") + " a b 1 True", firstLine(run(NO_PATH, bin.resolve("pytool").toString(), "a", "b")));
    }
}
