package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.Processes;
import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of single-field and random-byte mutations of real ELF files: host programs and
 * libraries, plus a 32-bit (i686) and a big-endian (s390x) file built at test time. Each must give
 * a parse or a BadInputException, never another exception, and each file's mutations must finish
 * within a time bound. The seed is printed, and -Delf.mutation.seed=N repeats a run.
 */
class ElfCorruptionIT {
    private static final List<String> HOST_FILES = List.of("/usr/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-musl/libc.so", "/usr/bin/busybox");

    @TempDir
    static Path dir;

    static final List<Path> files = new ArrayList<>();

    @BeforeAll
    static void buildFiles() throws Exception {
        for (String host : HOST_FILES) {
            Path p = Path.of(host);
            if (Files.isReadable(p)) {
                files.add(p.toRealPath());
            }
        }
        // Real store objects: RUNPATH into other store paths, a musl program, a library with versions.
        files.add(TestClosure.path("curl").resolve("bin/curl").toRealPath());
        files.add(TestClosure.path("libcurl").resolve("lib/libcurl.so.4").toRealPath());
        files.add(TestClosure.path("hello-musl").resolve("bin/hello-musl").toRealPath());
        Files.writeString(dir.resolve("demo.c"),
                "#include <stdio.h>\nint demo(int x) { printf(\"%d\\n\", x); return x * 2; }\n");
        files.add(compile("i686-linux-gnu-gcc", "-shared", "-fPIC", "-Wl,-soname,libdemo.so.1", "-o", "libdemo-i686.so",
                "demo.c"));
        files.add(compile("s390x-linux-gnu-gcc", "-shared", "-fPIC", "-Wl,-soname,libdemo.so.1", "-o",
                "libdemo-s390x.so", "demo.c"));
    }

    private static Path compile(String cc, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(cc));
        command.addAll(List.of(args));
        Processes.check(dir, command);
        return dir.resolve(args[args.length - 2]);
    }

    @Test
    void mutatedRealFiles_onlyParseOrRaiseBadInput() throws Exception {
        assertTrue(files.size() >= 4, "too few real files: " + files);
        long seed = Long.getLong("elf.mutation.seed", System.nanoTime());
        System.out.println("ElfCorruptionIT: seed " + seed);
        List<String> failures = new ArrayList<>();
        int total = 0;
        boolean sawElf32 = false;
        boolean sawBigEndian = false;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            ElfMutator mutator = new ElfMutator(file.toString(), bytes, seed);
            ElfFile parsed = ElfFile.parse(file.toString(), bytes);
            sawElf32 |= parsed.elfClass() == ElfClass.ELF32;
            sawBigEndian |= parsed.data() == ElfData.BIG_ENDIAN;
            long started = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                mutator.mutateEveryField();
                mutator.mutateRandomBytes(3000);
                mutator.truncate(300);
            }, () -> file + ": mutations did not finish in time; seed " + seed);
            System.out.printf("ElfCorruptionIT: %s: %d mutations (%d fields), %d rejected, %d ms%n", file,
                    mutator.parses(), mutator.fields().size(), mutator.rejected(),
                    (System.nanoTime() - started) / 1_000_000);
            total += mutator.parses();
            mutator.failures().forEach(f -> failures.add(file + ": " + f));
        }
        assertTrue(sawElf32 && sawBigEndian, "need a 32-bit and a big-endian file");
        assertTrue(total > 10_000, "only " + total + " mutations");
        assertTrue(failures.isEmpty(), () -> "seed " + seed + " (-Delf.mutation.seed=" + seed + "): "
                + failures.size() + " failures:\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }
}
