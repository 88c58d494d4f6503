package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The editor on programs built for 32-bit x86, aarch64 (64 KiB pages) and big-endian s390x by the
 * Debian cross compilers, run under qemu-user after editing.
 */
class ElfEditorCrossIT {
    @TempDir
    static Path shared;
    private static final Map<String, Native.Built> BUILT = new HashMap<>();

    @TempDir
    Path dir;

    static Stream<Native.Target> targets() {
        return Stream.of(Native.Target.I686, Native.Target.AARCH64, Native.Target.S390X);
    }

    private static synchronized Native.Built built(Native.Target target) throws IOException {
        Native.Built b = BUILT.get(target.name());
        if (b == null) {
            b = Native.buildProgramSet(Files.createDirectories(shared.resolve(target.name())), target);
            BUILT.put(target.name(), b);
        }
        return b;
    }

    static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = dir.resolve(name);
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        return to;
    }

    private static void edit(Path file, ElfEdit... edits) throws IOException {
        ElfEditor.edit(file, file, List.of(edits));
    }

    private void assertRuns(Native.Target target, Path program, String expected) throws IOException {
        Native.Result r = Native.run(dir, Map.of(), target.command(program));
        assertEquals(0, r.exit(), target.name() + " " + program + ":\n" + r.both());
        assertEquals(expected, r.out());
    }

    private void assertRuns(Native.Target target, Path program) throws IOException {
        assertRuns(target, program, Native.EXPECTED_OUTPUT);
    }

    private static String lib(Native.Built b, String name) {
        return b.lib().resolve(name).toAbsolutePath().toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void stringTableGrowth_programRuns(Native.Target target) throws IOException {
        Native.Built b = built(target);
        for (Path original : List.of(b.main(), b.mainNoPie())) {
            Path program = copy(original, original.getFileName().toString());
            assertRuns(target, program);
            String runpath = b.lib().toAbsolutePath() + ":/nix/store/" + "q".repeat(32) + "-" + "long".repeat(60) + "/lib";
            edit(program, new ElfEdit.SetSearchPath(bs(runpath), SearchPathTag.RUNPATH));
            assertRuns(target, program);
            ElfFile f = ElfFile.open(program);
            assertEquals(bs(runpath), f.runpath().orElseThrow());
            assertNewSegmentAligned(f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void programHeaderGrowth_longerInterpreter_programRuns(Native.Target target) throws IOException {
        Native.Built b = built(target);
        for (Path original : List.of(b.main(), b.mainNoPie())) {
            Path program = copy(original, original.getFileName().toString());
            ElfFile before = ElfFile.open(program);
            // The same loader through a longer path (qemu -L resolves it inside the sysroot).
            String interp = before.interpreterPath().orElseThrow().utf8();
            String longer = interp.replaceFirst("^/lib", "/lib/../lib/../lib");
            edit(program, new ElfEdit.SetInterpreter(bs(longer)));
            ElfFile f = ElfFile.open(program);
            assertEquals(bs(longer), f.interpreterPath().orElseThrow());
            assertEquals(before.programHeaders().size() + 1, f.programHeaders().size());
            assertNewSegmentAligned(f);
            assertRuns(target, program);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void absoluteNeededWithVersionFiles_programRunsWithoutSearchPath(Native.Target target) throws IOException {
        Native.Built b = built(target);
        Path program = copy(b.main(), "main");
        edit(program,
                new ElfEdit.ReplaceNeeded(bs("libgreet.so.1"), bs(lib(b, "libgreet.so.1"))),
                new ElfEdit.ReplaceNeeded(bs("libextra.so.1"), bs(lib(b, "libextra.so.1"))),
                new ElfEdit.ReplaceNeeded(bs("libunused.so.1"), bs(lib(b, "libunused.so.1"))),
                new ElfEdit.RemoveSearchPath());
        ElfFile f = ElfFile.open(program);
        assertTrue(f.runpath().isEmpty());
        assertTrue(f.versionNeeds().stream().anyMatch(v -> v.fileName().equals(bs(lib(b, "libgreet.so.1")))));
        assertRuns(target, program);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void originRelativeNeededThenSonames_movedTreeRuns(Native.Target target) throws IOException {
        Native.Built b = built(target);
        Path program = copy(b.main(), "tree/bin/main");
        for (String so : List.of("libgreet.so.1", "libextra.so.1", "libunused.so.1")) {
            copy(b.lib().resolve(so), "tree/lib/" + so);
        }
        List<ByteString> needed = new java.util.ArrayList<>();
        for (ByteString n : ElfFile.open(program).needed()) {
            if (!n.utf8().startsWith("libc.")) {
                needed.add(bs("$ORIGIN/../lib/").concat(n));
            }
        }
        needed.addAll(ElfFile.open(program).needed());
        edit(program, new ElfEdit.SetNeeded(needed), new ElfEdit.RemoveSearchPath());
        Path moved = dir.resolve("moved");
        Files.move(dir.resolve("tree"), moved);
        assertRuns(target, moved.resolve("bin/main"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void removeNeeded_updatesVersionNeeds_programRuns(Native.Target target) throws IOException {
        Native.Built b = built(target);
        Path program = copy(b.main(), "main");
        edit(program, new ElfEdit.RemoveNeeded(bs("libunused.so.1")));
        assertTrue(ElfFile.open(program).versionNeeds().stream().noneMatch(v -> v.fileName().equals(bs("libunused.so.1"))));
        assertRuns(target, program, "hello from libgreet, extra 42, unused absent\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void secondEdit_doesNotGrow_andStripAfterEditRuns(Native.Target target) throws IOException {
        Native.Built b = built(target);
        Path program = copy(b.main(), "main");
        String base = b.lib().toAbsolutePath().toString();
        edit(program, new ElfEdit.SetSearchPath(bs(base + ":/nix/store/" + "a".repeat(40)), SearchPathTag.RUNPATH));
        long once = Files.size(program);
        edit(program, new ElfEdit.SetSearchPath(bs(base + ":/nix/store/" + "b".repeat(40)), SearchPathTag.RUNPATH));
        assertTrue(Files.size(program) <= once, Files.size(program) + " > " + once);
        assertRuns(target, program);
        Path stripped = dir.resolve("stripped");
        String strip = target.compiler().replace("-gcc", "-strip");
        Native.Result r = Native.run(dir, strip, "-o", stripped.toString(), program.toString());
        assertEquals(0, r.exit(), r.both());
        assertRuns(target, stripped);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void regression_bigEndianAndOtherClasses_editedLibraryStillLoads(Native.Target target) throws IOException {
        Native.Built b = built(target);
        Path program = copy(b.main(), "main");
        for (String so : List.of("libgreet.so.1", "libextra.so.1", "libunused.so.1")) {
            copy(b.lib().resolve(so), "lib/" + so);
        }
        Path greet = dir.resolve("lib/libgreet.so.1");
        edit(greet, new ElfEdit.SetSearchPath(bs("/nix/store/" + "g".repeat(32) + "-glibc/lib"), SearchPathTag.RUNPATH),
                new ElfEdit.SetSoname(bs("libgreet.so.1")), new ElfEdit.AddNeeded(bs("libextra.so.1")));
        edit(program, new ElfEdit.SetSearchPath(bs(dir.resolve("lib").toString()), SearchPathTag.RUNPATH));
        assertNewSegmentAligned(ElfFile.open(greet));
        assertRuns(target, program);
    }

    /** The added PT_LOAD uses the machine's page size: 64 KiB on aarch64. */
    private static void assertNewSegmentAligned(ElfFile f) {
        ElfEditorTest.assertValidLayout(f);
        ProgramHeader added = ElfEditorTest.lastLoad(f);
        assertEquals(f.pageSize(), added.align());
        assertEquals(added.offset() % f.pageSize(), added.vaddr() % f.pageSize());
        if (f.machine() == ElfConstants.EM_AARCH64) {
            assertEquals(65536, f.pageSize());
        }
    }
}
