package dev.closurewrap.elf;

import dev.closurewrap.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds small C programs and libraries with a real compiler at test time and runs them (natively
 * or under qemu-user). The sources are written in the tests; no binary is committed.
 */
final class Native {
    private Native() {}

    record Result(int exit, String out, String err) {
        String both() {
            return out + err;
        }
    }

    /** A target: its C compiler and how to run its programs. */
    record Target(String name, String compiler, List<String> runner) {
        static final Target HOST = new Target("x86_64", "gcc", List.of());
        static final Target I686 = new Target("i686", "i686-linux-gnu-gcc",
                List.of("qemu-i386", "-L", "/usr/i686-linux-gnu"));
        static final Target AARCH64 = new Target("aarch64", "aarch64-linux-gnu-gcc",
                List.of("qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"));
        static final Target S390X = new Target("s390x", "s390x-linux-gnu-gcc",
                List.of("qemu-s390x", "-L", "/usr/s390x-linux-gnu"));

        List<String> command(Path program, String... args) {
            List<String> c = new ArrayList<>(runner);
            c.add(program.toString());
            c.addAll(List.of(args));
            return c;
        }
    }

    /** The test program set: a versioned library, an unversioned one, and a program using both. */
    static final String GREET_C = """
            #include <stdio.h>
            const char *greet(void) { return "hello from libgreet"; }
            """;
    static final String GREET_MAP = "GREET_1.0 { global: greet; local: *; };\n";
    static final String EXTRA_C = "int extra(void) { return 42; }\n";
    static final String UNUSED_C = "int unused_fn(void) { return 7; }\n";
    static final String UNUSED_MAP = "UNUSED_1 { global: unused_fn; local: *; };\n";
    static final String MAIN_C = """
            #include <stdio.h>
            const char *greet(void);
            int extra(void);
            extern int unused_fn(void) __attribute__((weak));
            int main(int argc, char **argv) {
                printf("%s, extra %d, unused %s\\n", greet(), extra(), unused_fn ? "present" : "absent");
                return 0;
            }
            """;

    /** The built set, all in {@code dir}: lib/libgreet.so.1, lib/libextra.so.1, lib/libunused.so.1, main, main-nopie. */
    record Built(Path dir, Target target, Path lib, Path main, Path mainNoPie) {}

    static Built buildProgramSet(Path dir, Target target) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        write(dir, "greet.c", GREET_C);
        write(dir, "greet.map", GREET_MAP);
        write(dir, "extra.c", EXTRA_C);
        write(dir, "unused.c", UNUSED_C);
        write(dir, "unused.map", UNUSED_MAP);
        write(dir, "main.c", MAIN_C);
        compile(dir, target.compiler(), "-shared", "-fPIC", "-o", "lib/libgreet.so.1", "-Wl,-soname,libgreet.so.1",
                "-Wl,--version-script=greet.map", "greet.c");
        compile(dir, target.compiler(), "-shared", "-fPIC", "-o", "lib/libextra.so.1", "-Wl,-soname,libextra.so.1",
                "extra.c");
        compile(dir, target.compiler(), "-shared", "-fPIC", "-o", "lib/libunused.so.1", "-Wl,-soname,libunused.so.1",
                "-Wl,--version-script=unused.map", "unused.c");
        for (String so : List.of("libgreet", "libextra", "libunused")) {
            Files.deleteIfExists(lib.resolve(so + ".so"));
            Files.createSymbolicLink(lib.resolve(so + ".so"), Path.of(so + ".so.1"));
        }
        String runpath = "-Wl,-rpath," + lib.toAbsolutePath();
        compile(dir, target.compiler(), "-o", "main", "-pie", "-fPIE", "main.c", "-Llib", "-Wl,--no-as-needed",
                "-lgreet", "-lextra", "-lunused", runpath, "-Wl,--enable-new-dtags");
        compile(dir, target.compiler(), "-o", "main-nopie", "-no-pie", "main.c", "-Llib", "-Wl,--no-as-needed",
                "-lgreet", "-lextra", "-lunused", runpath, "-Wl,--enable-new-dtags");
        return new Built(dir, target, lib, dir.resolve("main"), dir.resolve("main-nopie"));
    }

    static final String EXPECTED_OUTPUT = "hello from libgreet, extra 42, unused present\n";

    static void write(Path dir, String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    static void compile(Path dir, String... command) throws IOException {
        Processes.check(dir, command);
    }

    static Result run(Path dir, Map<String, String> env, List<String> command) throws IOException {
        Processes.Output o = Processes.run(dir, env, Duration.ofSeconds(60), command);
        return new Result(o.exitCode(), o.stdout(), o.stderr());
    }

    static Result run(Path dir, String... command) throws IOException {
        return run(dir, Map.of(), List.of(command));
    }
}
