package dev.closurewrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks that the test closure really has every ingredient later integration tests rely on, with
 * the host's readelf and nix-store as the judges (not closure-wrap's own parsers).
 */
class NixTestClosureIT {
    private static final Pattern STORE_NAME = Pattern.compile("[0123456789abcdfghijklmnpqrsvwxyz]{32}-(.+)");

    @Test
    void packages_everyIngredientPresent_asValidStorePaths() throws IOException {
        Map<String, Path> packages = TestClosure.packages();
        for (String name : List.of("glibc", "zlib", "openssl", "libcurl", "curl", "openldap", "gnutls",
                "musl", "libgreet", "hello-musl", "hello-static", "busybox", "dash", "bash", "libmagic",
                "file", "app")) {
            assertTrue(packages.containsKey(name), "missing package " + name + " in " + packages.keySet());
        }
        for (Map.Entry<String, Path> entry : packages.entrySet()) {
            Path path = entry.getValue();
            assertEquals(TestClosure.storeDir(), path.getParent(), path.toString());
            Matcher name = STORE_NAME.matcher(path.getFileName().toString());
            assertTrue(name.matches(), path + " is not <hash>-<name>");
            assertEquals(entry.getKey(), name.group(1));
            assertTrue(Files.isDirectory(path), path + " does not exist");
        }
        List<String> checkValidity = new ArrayList<>(List.of("nix-store", "--check-validity"));
        packages.values().forEach(path -> checkValidity.add(path.toString()));
        TestClosure.run(checkValidity);
    }

    @Test
    void closure_ofRoots_isExactlyEveryPackage() throws IOException {
        assertEquals(List.of(TestClosure.path("app"), TestClosure.path("file")), TestClosure.roots());
        assertEquals(new HashSet<>(TestClosure.packages().values()), new HashSet<>(TestClosure.closure()));
    }

    @Test
    void glibc_ownStorePath_holdsLoaderAndLibrariesAndReferencesNothing() throws IOException {
        Path glibc = TestClosure.path("glibc");
        for (String file : List.of("ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2")) {
            assertTrue(Files.isRegularFile(glibc.resolve("lib").resolve(file)), file);
        }
        assertEquals(List.of(), TestClosure.references(glibc));
        assertEquals(List.of("ld-linux-x86-64.so.2"), needed(glibc.resolve("lib/libc.so.6")));
    }

    @Test
    void curl_runsFromStore_withEveryLibraryLoadedFromStore() throws IOException {
        Path curl = TestClosure.path("curl").resolve("bin/curl");
        assertTrue(TestClosure.run(List.of(curl.toString(), "--version")).startsWith("curl 7"));

        // The store loader in trace mode lists what it would load, as ldd does.
        TestClosure.Output trace = TestClosure.execute(List.of(curl.toString()), Map.of("LD_TRACE_LOADED_OBJECTS", "1"));
        assertEquals(0, trace.exitCode(), trace.stderr());
        List<String> loaded = new ArrayList<>();
        for (String line : trace.stdout().lines().toList()) {
            int arrow = line.indexOf("=> ");
            if (arrow >= 0) {
                loaded.add(line.substring(arrow + 3, line.lastIndexOf(" (")));
            }
        }
        assertTrue(loaded.size() >= 25, "curl loads " + loaded);
        String store = TestClosure.storeDir() + "/";
        loaded.forEach(path -> assertTrue(path.startsWith(store), "loaded from outside the store: " + path));
    }

    @Test
    void curl_libraryChain_runsThroughSevenStorePathsByRunpathAndRegisteredReferences() throws IOException {
        Path glibc = TestClosure.path("glibc");
        String[][] chain = {
            {"curl", "bin/curl", "libcurl"},
            {"libcurl", "lib/libcurl.so.4", "openldap"},
            {"openldap", "lib/libldap-2.5.so.0", "gnutls"},
            {"gnutls", "lib/libgnutls.so.30", "p11-kit"},
            {"p11-kit", "lib/libp11-kit.so.0", "libffi"},
            {"libffi", "lib/libffi.so.8", "glibc"},
        };
        for (String[] link : chain) {
            Path from = TestClosure.path(link[0]);
            Path to = TestClosure.path(link[2]);
            List<String> runpath = dynamicPath(from.resolve(link[1]), "RUNPATH");
            assertTrue(runpath.contains(to.resolve("lib").toString()), link[0] + " RUNPATH " + runpath + " lacks " + link[2]);
            assertTrue(runpath.contains(glibc.resolve("lib").toString()), link[0] + " RUNPATH " + runpath + " lacks glibc");
            for (String dir : runpath) {
                assertTrue(dir.startsWith(TestClosure.storeDir() + "/") && dir.endsWith("/lib"), link[0] + " searches " + dir);
            }
            assertTrue(TestClosure.references(from).contains(to), link[0] + " -> " + link[2] + " not registered");
        }
        // libldap needs liblber beside it: a package also searches its own lib dir when it must.
        Path openldap = TestClosure.path("openldap");
        assertTrue(dynamicPath(openldap.resolve("lib/libldap-2.5.so.0"), "RUNPATH").contains(openldap.resolve("lib").toString()));
        assertEquals(Optional.of(glibc.resolve("lib/ld-linux-x86-64.so.2").toString()),
                interpreter(TestClosure.path("curl").resolve("bin/curl")));
    }

    @Test
    void xz_usesDtRpath_notDtRunpath() throws IOException {
        Path xz = TestClosure.path("xz").resolve("bin/xz");
        assertEquals(List.of(TestClosure.path("xz").resolve("lib").toString(), TestClosure.path("glibc").resolve("lib").toString()),
                dynamicPath(xz, "RPATH"));
        assertEquals(List.of(), dynamicPath(xz, "RUNPATH"));
    }

    @Test
    void versionedLibraries_defineTheirOwnVersions_andReferenceGlibcVersions() throws IOException {
        String zlib = readelf("-V", TestClosure.path("zlib").resolve("lib/libz.so.1").toString());
        assertTrue(zlib.contains(".gnu.version_d") && zlib.contains("ZLIB_1.2.0"), zlib);
        assertTrue(zlib.contains(".gnu.version_r") && zlib.contains("File: libc.so.6"), zlib);
        String crypto = readelf("-V", TestClosure.path("openssl").resolve("lib/libcrypto.so.3").toString());
        assertTrue(crypto.contains("OPENSSL_3.0.0"), "libcrypto defines no OPENSSL_3.0.0");
        String greet = readelf("-V", TestClosure.path("libgreet").resolve("lib/libgreet.so.1").toString());
        assertTrue(greet.contains(".gnu.version_d") && greet.contains("GREET_1.0"), greet);
        String curl = readelf("-V", TestClosure.path("curl").resolve("bin/curl").toString());
        assertTrue(curl.contains("File: libcurl.so.4") && curl.contains("CURL_OPENSSL_4"), curl);
    }

    @Test
    void sonames_areRelativeSymlinksToVersionedFiles() throws IOException {
        Path zlibSoname = TestClosure.path("zlib").resolve("lib/libz.so.1");
        assertTrue(Files.isSymbolicLink(zlibSoname));
        Path target = Files.readSymbolicLink(zlibSoname);
        assertFalse(target.isAbsolute(), target.toString());
        assertTrue(target.toString().startsWith("libz.so.1."), target.toString());
        assertTrue(Files.isRegularFile(zlibSoname.resolveSibling(target), LinkOption.NOFOLLOW_LINKS));
        assertEquals("libz.so.1", soname(zlibSoname));

        Path greet = TestClosure.path("libgreet").resolve("lib");
        assertEquals(Path.of("libgreet.so.1.0.0"), Files.readSymbolicLink(greet.resolve("libgreet.so.1")));
        assertEquals(Path.of("libgreet.so.1"), Files.readSymbolicLink(greet.resolve("libgreet.so")));
        assertEquals("libgreet.so.1", soname(greet.resolve("libgreet.so.1.0.0")));
    }

    @Test
    void helloMusl_runsUnderStoreMuslLoader_withLibgreetFromItsOwnStorePath() throws IOException {
        Path musl = TestClosure.path("musl");
        Path libgreet = TestClosure.path("libgreet");
        Path program = TestClosure.path("hello-musl").resolve("bin/hello-musl");
        assertEquals("hello from musl via libgreet 1\n", TestClosure.run(List.of(program.toString())));

        Path loader = musl.resolve("lib/ld-musl-x86_64.so.1");
        assertEquals(Optional.of(loader.toString()), interpreter(program));
        assertEquals(Path.of("libc.so"), Files.readSymbolicLink(loader));
        assertEquals(Optional.empty(), interpreter(musl.resolve("lib/libc.so")));
        assertEquals(List.of("libgreet.so.1", "libc.so"), needed(program));
        assertEquals(List.of(libgreet.resolve("lib").toString(), musl.resolve("lib").toString()), dynamicPath(program, "RUNPATH"));
        assertEquals(Set.of(musl, libgreet), Set.copyOf(TestClosure.references(TestClosure.path("hello-musl"))));
        assertEquals(List.of(musl), TestClosure.references(libgreet));
    }

    @Test
    void staticPrograms_haveNoInterpreterNorNeeded_andRun() throws IOException {
        Path busybox = TestClosure.path("busybox").resolve("bin/busybox");
        Path hello = TestClosure.path("hello-static").resolve("bin/hello-static");
        Path helloPie = TestClosure.path("hello-static").resolve("bin/hello-static-pie");
        for (Path program : List.of(busybox, hello, helloPie)) {
            assertEquals(Optional.empty(), interpreter(program), program.toString());
            assertEquals(List.of(), needed(program), program.toString());
        }
        assertTrue(readelf("-h", helloPie.toString()).contains("DYN (Position-Independent Executable"),
                "static-pie is not ET_DYN");
        assertEquals("hello from a static program\n", TestClosure.run(List.of(hello.toString())));
        assertEquals("hello from a static program\n", TestClosure.run(List.of(helloPie.toString())));
        assertEquals("ok\n", TestClosure.run(List.of(busybox.toString(), "echo", "ok")));
        assertEquals(List.of(), TestClosure.references(TestClosure.path("busybox")));
    }

    @Test
    void scripts_haveStoreShebangs_thatAreRegisteredReferences_andRun() throws IOException {
        Path app = TestClosure.path("app");
        Path dash = TestClosure.path("dash");
        Path busybox = TestClosure.path("busybox");
        assertEquals("#!" + dash + "/bin/dash", firstLine(app.resolve("bin/app-info")));
        assertEquals("#!" + busybox + "/bin/sh", firstLine(app.resolve("bin/app-busybox")));
        assertTrue(TestClosure.references(app).containsAll(List.of(dash, busybox)));
        // dash is named by nothing in app but the shebang, so the shebang alone made the reference.
        assertEquals(List.of(app.resolve("bin/app-info")), filesNaming(app, dash));

        String info = TestClosure.run(List.of(app.resolve("bin/app-info").toString()));
        assertTrue(info.contains("hello from musl via libgreet") && info.contains("hello from a static program"), info);
        assertEquals("busybox sh says hello\n", TestClosure.run(List.of(app.resolve("bin/app-busybox").toString())));
    }

    @Test
    void dataFile_namesLibgreet_andIsTheOnlyReasonForThatReference() throws IOException {
        Path app = TestClosure.path("app");
        Path libgreet = TestClosure.path("libgreet");
        Path conf = app.resolve("share/app/app.conf");
        assertTrue(Files.readString(conf).contains(libgreet + "/lib/libgreet.so.1"));
        assertTrue(TestClosure.references(app).contains(libgreet));
        assertEquals(List.of(conf), filesNaming(app, libgreet));
    }

    @Test
    void absoluteSymlinks_pointIntoOtherStorePaths() throws IOException {
        Path app = TestClosure.path("app");
        assertEquals(TestClosure.path("curl").resolve("bin/curl"), Files.readSymbolicLink(app.resolve("bin/curl")));
        assertEquals(TestClosure.path("hello-musl").resolve("bin/hello-musl"),
                Files.readSymbolicLink(app.resolve("bin/hello-musl")));
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(TestClosure.path("busybox").resolve("bin/sh")));
    }

    @Test
    void fileWrapper_isMakeWrapperStyle_execsWrappedProgram_withStorePathsInItsEnvironment() throws IOException {
        Path file = TestClosure.path("file");
        Path bash = TestClosure.path("bash");
        Path libmagic = TestClosure.path("libmagic");
        Path xz = TestClosure.path("xz");
        String wrapper = Files.readString(file.resolve("bin/file"));
        assertTrue(wrapper.startsWith("#! " + bash + "/bin/bash -e\n"), wrapper);
        assertTrue(wrapper.contains("export MAGIC='" + libmagic + "/share/misc/magic.mgc'"), wrapper);
        assertTrue(wrapper.contains("PATH='" + xz + "/bin'$PATH"), wrapper);
        assertTrue(wrapper.contains("exec -a \"$0\" \"" + file + "/bin/.file-wrapped\""), wrapper);
        assertTrue(Files.isRegularFile(file.resolve("bin/.file-wrapped")));
        assertEquals(Set.of(bash, libmagic, xz, TestClosure.path("glibc"), file),
                Set.copyOf(TestClosure.references(file)));

        String version = TestClosure.run(List.of(file.resolve("bin/file").toString(), "--version"));
        assertTrue(version.contains("magic file from " + libmagic + "/share/misc/magic.mgc"), version);
        String described = TestClosure.run(List.of(file.resolve("bin/file").toString(), "-b",
                TestClosure.path("zlib").resolve("lib/libz.so.1").toString()));
        assertTrue(described.startsWith("symbolic link to libz.so.1."), described);
    }

    // --- readelf, the independent judge ---

    private static final Pattern INTERPRETER = Pattern.compile("\\[Requesting program interpreter: (.*)]");
    private static final Pattern DYNAMIC = Pattern.compile("\\((NEEDED|RUNPATH|RPATH|SONAME)\\)\\s+[^\\[]*\\[(.*)]");

    private static String readelf(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("readelf", "-W"));
        command.addAll(List.of(args));
        return TestClosure.run(command);
    }

    private static Optional<String> interpreter(Path file) throws IOException {
        Matcher matcher = INTERPRETER.matcher(readelf("-l", file.toString()));
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static List<String> dynamicEntries(Path file, String tag) throws IOException {
        List<String> values = new ArrayList<>();
        Matcher matcher = DYNAMIC.matcher(readelf("-d", file.toString()));
        while (matcher.find()) {
            if (matcher.group(1).equals(tag)) {
                values.add(matcher.group(2));
            }
        }
        return values;
    }

    private static List<String> needed(Path file) throws IOException {
        return dynamicEntries(file, "NEEDED");
    }

    private static String soname(Path file) throws IOException {
        List<String> sonames = dynamicEntries(file, "SONAME");
        assertEquals(1, sonames.size(), file + " SONAME " + sonames);
        return sonames.get(0);
    }

    private static List<String> dynamicPath(Path file, String tag) throws IOException {
        List<String> entries = dynamicEntries(file, tag);
        return entries.isEmpty() ? List.of() : List.of(entries.get(0).split(":"));
    }

    private static String firstLine(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
    }

    /** Files and symlinks under root whose bytes (or link target) contain target's hash part. */
    private static List<Path> filesNaming(Path root, Path target) throws IOException {
        byte[] hash = target.getFileName().toString().substring(0, 32).getBytes(StandardCharsets.US_ASCII);
        List<Path> naming = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted().toList()) {
                byte[] content;
                if (Files.isSymbolicLink(file)) {
                    content = Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8);
                } else if (Files.isRegularFile(file)) {
                    content = Files.readAllBytes(file);
                } else {
                    continue;
                }
                if (indexOf(content, hash) >= 0) {
                    naming.add(file);
                }
            }
        }
        return naming;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
