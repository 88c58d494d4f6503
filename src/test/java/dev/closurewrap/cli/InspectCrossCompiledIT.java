package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real 32-bit and big-endian files: a shared library and programs (RUNPATH, RPATH, static,
 * static-pie) built at test time with Debian's cross compilers and musl-gcc, then inspected and
 * compared with readelf, and checked against what each target is known to be.
 */
class InspectCrossCompiledIT {
    // Calls into libc, so that the library needs it (a self-contained one names no C library at all).
    private static final String LIBRARY = "#include <stdio.h>\nint demo(int x) { puts(\"demo\"); return x * 2; }\n";
    private static final String PROGRAM = "#include <stdio.h>\nint demo(int);\n"
            + "int main(void) { printf(\"%d\\n\", demo(21)); return 0; }\n";

    /** compiler, class, data, machine, interpreter, loader family, page size, whether static-pie links. */
    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("i686-linux-gnu-gcc", "ELF32", "little-endian", "Intel 80386", "/lib/ld-linux.so.2",
                        "glibc", 4096, true),
                Arguments.of("aarch64-linux-gnu-gcc", "ELF64", "little-endian", "AArch64",
                        "/lib/ld-linux-aarch64.so.1", "glibc", 65536, true),
                // Debian's s390x cross toolchain has no rcrt1.o: no static-pie there.
                Arguments.of("s390x-linux-gnu-gcc", "ELF64", "big-endian", "IBM S/390", "/lib/ld64.so.1", "glibc",
                        4096, false),
                // Debian's musl-gcc specs turn -static-pie into an ordinary dynamic PIE.
                Arguments.of("musl-gcc", "ELF64", "little-endian", "Advanced Micro Devices X86-64",
                        "/lib/ld-musl-x86_64.so.1", "musl", 4096, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void crossCompiledFiles_inspectAgreesWithReadelfAndTheTarget(String cc, String elfClass, String data,
            String machine, String interpreter, String family, int pageSize, boolean staticPie, @TempDir Path dir)
            throws Exception {
        Readelf.requireTool(cc);
        Readelf.requireTool("readelf");
        Files.writeString(dir.resolve("demo.c"), LIBRARY);
        Files.writeString(dir.resolve("main.c"), PROGRAM);
        compile(dir, cc, "-shared", "-fPIC", "-Wl,-soname,libdemo.so.1", "-o", "libdemo.so.1", "demo.c");
        compile(dir, cc, "-o", "prog-runpath", "main.c", "-L.", "-l:libdemo.so.1",
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib:/opt/demo/lib");
        compile(dir, cc, "-o", "prog-rpath", "main.c", "-L.", "-l:libdemo.so.1", "-Wl,--disable-new-dtags,-rpath,$ORIGIN");
        compile(dir, cc, "-static", "-o", "prog-static", "main.c", "demo.c");
        List<String> names = new ArrayList<>(List.of("libdemo.so.1", "prog-runpath", "prog-rpath", "prog-static"));
        if (staticPie) {
            compile(dir, cc, "-static-pie", "-fPIE", "-o", "prog-static-pie", "main.c", "demo.c");
            names.add("prog-static-pie");
        }
        List<Path> files = names.stream().map(dir::resolve).toList();

        List<String> failures = new ArrayList<>();
        Map<String, Readelf.Facts> ours = Readelf.inspect(files, failures);
        Map<String, Readelf.Facts> theirs = Readelf.readelf(files);
        for (Path f : files) {
            failures.addAll(Readelf.differences(f.toString(), ours.get(f.toString()), theirs.get(f.toString())));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));

        Map<String, JsonNode> json = inspectJson(files);
        for (JsonNode n : json.values()) {
            assertEquals(elfClass, n.get("class").asText(), n.get("file").asText());
            assertEquals(data, n.get("data").asText());
            assertEquals(machine, n.get("machine").asText());
            assertEquals(pageSize, n.get("page_size").asInt());
        }
        JsonNode lib = json.get("libdemo.so.1");
        assertEquals("shared-library", lib.get("kind").asText());
        assertEquals("libdemo.so.1", lib.get("soname").asText());
        assertEquals(family, lib.get("loader_family").asText());

        JsonNode runpath = json.get("prog-runpath");
        assertEquals("pie-executable", runpath.get("kind").asText());
        assertEquals(interpreter, runpath.get("interpreter").asText());
        assertEquals(family, runpath.get("loader_family").asText());
        assertEquals("$ORIGIN/../lib:/opt/demo/lib", runpath.get("runpath").asText());
        assertTrue(runpath.get("rpath").isNull());
        assertEquals("libdemo.so.1", runpath.get("needed").get(0).asText());
        if (family.equals("glibc")) {
            assertEquals("libc.so.6", runpath.get("version_needs").get(0).get("file").asText());
            assertTrue(runpath.get("version_needs").get(0).get("versions").get(0).asText().startsWith("GLIBC_"));
        }

        JsonNode rpath = json.get("prog-rpath");
        assertEquals("$ORIGIN", rpath.get("rpath").asText());
        assertTrue(rpath.get("runpath").isNull());

        JsonNode statik = json.get("prog-static");
        assertEquals("static-executable", statik.get("kind").asText());
        assertEquals("none", statik.get("loader_family").asText());
        assertTrue(statik.get("interpreter").isNull());
        if (staticPie) {
            JsonNode pie = json.get("prog-static-pie");
            assertEquals("static-pie", pie.get("kind").asText());
            assertEquals("none", pie.get("loader_family").asText());
        }
    }

    private static Map<String, JsonNode> inspectJson(List<Path> files) throws IOException {
        List<String> args = new ArrayList<>(List.of("inspect", "--json"));
        files.forEach(f -> args.add(f.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, args.toArray(String[]::new));
        assertEquals(0, exit);
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode n : new ObjectMapper().readTree(out.toByteArray())) {
            byName.put(Path.of(n.get("file").asText()).getFileName().toString(), n);
        }
        return byName;
    }

    private static void compile(Path dir, String cc, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(cc);
        command.addAll(List.of(args));
        Processes.check(dir, command);
    }
}
