package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The editor on programs and libraries gcc builds at test time, run after editing. The regression
 * tests are named after patchelf's bug classes (facts.md).
 */
class ElfEditorGccTest {
    @TempDir
    static Path shared;
    static Native.Built built;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws IOException {
        built = Native.buildProgramSet(shared, Native.Target.HOST);
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

    private void assertRuns(Path program) throws IOException {
        Native.Result r = Native.run(dir, program.toString());
        assertEquals(0, r.exit(), r.both());
        assertEquals(Native.EXPECTED_OUTPUT, r.out());
    }

    private static String readelf(String option, Path file) throws IOException {
        Native.Result r = Native.run(file.getParent(), "readelf", option, "-W", file.toString());
        assertEquals(0, r.exit(), r.both());
        assertFalse(r.err().contains("Error"), r.err());
        return r.out();
    }

    private static String lib(String name) {
        return built.lib().resolve(name).toAbsolutePath().toString();
    }

    // ---- the two rewrite modes ----

    @Test
    void replaceNeeded_absolutePathsWithVersionFiles_programRunsWithoutSearchPath() throws IOException {
        for (String name : List.of("main", "main-nopie")) {
            Path program = copy(built.dir().resolve(name), name);
            edit(program,
                    new ElfEdit.ReplaceNeeded(bs("libgreet.so.1"), bs(lib("libgreet.so.1"))),
                    new ElfEdit.ReplaceNeeded(bs("libextra.so.1"), bs(lib("libextra.so.1"))),
                    new ElfEdit.ReplaceNeeded(bs("libunused.so.1"), bs(lib("libunused.so.1"))),
                    new ElfEdit.RemoveSearchPath());
            assertRuns(program);
            ElfFile f = ElfFile.open(program);
            assertTrue(f.runpath().isEmpty());
            assertTrue(f.versionNeeds().stream().anyMatch(v -> v.fileName().equals(bs(lib("libgreet.so.1")))),
                    readelf("-V", program));
        }
    }

    @Test
    void setNeeded_originPathsThenSonames_programRunsFromAnotherDirectory() throws IOException {
        Path program = copy(built.main(), "tree/bin/main");
        for (String so : List.of("libgreet.so.1", "libextra.so.1", "libunused.so.1")) {
            copy(built.lib().resolve(so), "tree/lib/" + so);
        }
        edit(program, new ElfEdit.SetNeeded(List.of(
                bs("$ORIGIN/../lib/libgreet.so.1"), bs("$ORIGIN/../lib/libextra.so.1"), bs("$ORIGIN/../lib/libunused.so.1"),
                bs("libgreet.so.1"), bs("libextra.so.1"), bs("libunused.so.1"), bs("libc.so.6"))),
                new ElfEdit.RemoveSearchPath());
        Path moved = dir.resolve("elsewhere");
        Files.move(dir.resolve("tree"), moved);
        assertRuns(moved.resolve("bin/main"));
    }

    // ---- patchelf's bug classes ----

    @Test
    void regression_stringTableGrowth_programRuns() throws IOException {
        Path program = copy(built.main(), "main");
        String longPath = built.lib().toAbsolutePath() + ":/nix/store/" + "x".repeat(32) + "-" + "long".repeat(100) + "/lib";
        edit(program, new ElfEdit.SetSearchPath(bs(longPath), SearchPathTag.RUNPATH));
        assertRuns(program);
        assertTrue(readelf("-d", program).contains(longPath));
        ElfEditorTest.assertValidLayout(ElfFile.open(program));
    }

    @Test
    void regression_programHeaderTableGrowth_interpreterMovedProgramRuns() throws IOException {
        Path loaderLink = dir.resolve("a-loader-with-a-name-much-longer-than-the-original-ld-linux-x86-64.so.2");
        Files.createSymbolicLink(loaderLink, Path.of("/lib64/ld-linux-x86-64.so.2"));
        for (String name : List.of("main", "main-nopie")) {
            Path program = copy(built.dir().resolve(name), name);
            int before = ElfFile.open(program).programHeaders().size();
            edit(program, new ElfEdit.SetInterpreter(bs(loaderLink.toString())));
            ElfFile f = ElfFile.open(program);
            assertEquals(before + 1, f.programHeaders().size());
            assertEquals(bs(loaderLink.toString()), f.interpreterPath().orElseThrow());
            assertRuns(program);
            ElfEditorTest.assertValidLayout(f);
        }
    }

    @Test
    void regression_dynamicSectionGrowth_manyAddedEntriesProgramRuns() throws IOException {
        Path program = copy(built.main(), "main");
        // Libraries already loaded anyway: adding them changes nothing at run time but grows .dynamic.
        edit(program, new ElfEdit.AddNeeded(bs("libm.so.6")), new ElfEdit.AddNeeded(bs("libdl.so.2")),
                new ElfEdit.AddNeeded(bs("libpthread.so.0")), new ElfEdit.AddNeeded(bs("librt.so.1")),
                new ElfEdit.SetSoname(bs("main-has-a-soname")));
        ElfFile f = ElfFile.open(program);
        assertEquals(bs("libm.so.6"), f.needed().get(0));
        assertRuns(program);
        ElfEditorTest.assertValidLayout(f);
    }

    @Test
    void goldLinkedProgram_growthOfEverything_runs() throws IOException {
        // gold lays out .interp, the notes, .dynsym and .dynstr right behind the program headers.
        Native.compile(shared, "gcc", "-fuse-ld=gold", "-o", "main-gold", "main.c", "-Llib", "-Wl,--no-as-needed",
                "-lgreet", "-lextra", "-lunused", "-Wl,-rpath," + built.lib().toAbsolutePath(), "-Wl,--enable-new-dtags");
        Path program = copy(shared.resolve("main-gold"), "main-gold");
        edit(program, new ElfEdit.SetInterpreter(bs("/lib64/../lib64/../lib64/ld-linux-x86-64.so.2")),
                new ElfEdit.SetSearchPath(bs(built.lib() + ":/nix/store/" + "g".repeat(32) + "-gold/lib"), SearchPathTag.RUNPATH),
                new ElfEdit.ReplaceNeeded(bs("libgreet.so.1"), bs(lib("libgreet.so.1"))),
                new ElfEdit.AddNeeded(bs("libm.so.6")), new ElfEdit.AddNeeded(bs("libdl.so.2")),
                new ElfEdit.AddNeeded(bs("librt.so.1")), new ElfEdit.AddNeeded(bs("libpthread.so.0")));
        ElfEditorTest.assertValidLayout(ElfFile.open(program));
        assertRuns(program);
        Native.Result lint = Native.run(dir, "eu-elflint", "--gnu-ld", program.toString());
        assertEquals("No errors\n", lint.out(), lint.both());
    }

    @Test
    void muslProgram_hashTableBehindTheHeadersMoved_runs() throws IOException {
        // musl-gcc puts .hash (which musl's loader uses for lookups) right behind .interp.
        Native.write(dir, "m.c", "#include <stdio.h>\nint main(void) { puts(\"musl ok\"); return 0; }\n");
        Native.compile(dir, "musl-gcc", "-o", "m", "m.c");
        Path program = dir.resolve("m");
        long hashBefore = ElfFile.open(program).dynamic().orElseThrow().value(ElfConstants.DT_HASH).orElseThrow();
        edit(program, new ElfEdit.SetInterpreter(bs("/lib/../lib/../lib/ld-musl-x86_64.so.1")),
                new ElfEdit.SetSearchPath(bs("/nix/store/" + "m".repeat(32) + "-musl/lib"), SearchPathTag.RUNPATH));
        ElfFile f = ElfFile.open(program);
        assertNotEquals(hashBefore, f.dynamic().orElseThrow().value(ElfConstants.DT_HASH).orElseThrow(), "fixture: .hash moved");
        ElfEditorTest.assertValidLayout(f);
        Native.Result r = Native.run(dir, program.toString());
        assertEquals("musl ok\n", r.out(), r.both());
    }

    @Test
    void regression_secondEdit_doesNotGrowTheFile() throws IOException {
        Path once = copy(built.main(), "once");
        Path twice = copy(built.main(), "twice");
        String first = "/nix/store/" + "a".repeat(32) + "-first-long-runpath/lib:" + built.lib().toAbsolutePath();
        String second = "/nix/store/" + "b".repeat(32) + "-second-long-runpath/lib:" + built.lib().toAbsolutePath();
        edit(once, new ElfEdit.SetSearchPath(bs(second), SearchPathTag.RUNPATH));
        edit(twice, new ElfEdit.SetSearchPath(bs(first), SearchPathTag.RUNPATH));
        long afterFirst = Files.size(twice);
        edit(twice, new ElfEdit.SetSearchPath(bs(second), SearchPathTag.RUNPATH));
        edit(twice, new ElfEdit.SetSearchPath(bs(first), SearchPathTag.RUNPATH));
        edit(twice, new ElfEdit.SetSearchPath(bs(second), SearchPathTag.RUNPATH));

        assertTrue(Files.size(twice) <= Files.size(once), Files.size(twice) + " > " + Files.size(once));
        assertTrue(Files.size(twice) <= afterFirst + 64, "grew on every edit");
        assertEquals(ElfFile.open(once).programHeaders().size(), ElfFile.open(twice).programHeaders().size());
        assertFalse(new String(Files.readAllBytes(twice), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("first-long-runpath"), "stale string of the earlier edit");
        assertRuns(twice);
        long growth = Files.size(once) - Files.size(built.main());
        assertTrue(growth < 4096 + 2048, "first edit grew by " + growth);
    }

    @Test
    void regression_stripAndObjcopyAfterEdit_programRuns() throws IOException {
        Path program = copy(built.main(), "main");
        edit(program, new ElfEdit.SetSearchPath(bs(built.lib().toAbsolutePath() + ":/nix/store/" + "s".repeat(60)),
                SearchPathTag.RUNPATH), new ElfEdit.SetInterpreter(bs("/lib64/../lib64/ld-linux-x86-64.so.2")));
        Path stripped = dir.resolve("stripped");
        Path copied = dir.resolve("copied");
        assertEquals(0, Native.run(dir, "strip", "-o", stripped.toString(), program.toString()).exit());
        assertEquals(0, Native.run(dir, "objcopy", program.toString(), copied.toString()).exit());
        assertRuns(stripped);
        assertRuns(copied);
        // And editing the stripped file again still works.
        edit(stripped, new ElfEdit.SetSearchPath(bs(built.lib().toAbsolutePath().toString()), SearchPathTag.RUNPATH));
        assertRuns(stripped);
    }

    @Test
    void regression_removeNeeded_updatesVersionNeeds() throws IOException {
        Path program = copy(built.main(), "main");
        assertTrue(readelf("-V", program).contains("libunused.so.1"), "fixture: main needs a version from libunused");
        edit(program, new ElfEdit.RemoveNeeded(bs("libunused.so.1")));

        String versions = readelf("-V", program);
        assertFalse(versions.contains("libunused.so.1"), versions);
        assertFalse(versions.contains("UNUSED_1"), versions);
        Native.Result r = Native.run(dir, program.toString());
        assertEquals(0, r.exit(), r.both());
        assertEquals("hello from libgreet, extra 42, unused absent\n", r.out());
    }

    @Test
    void editedLibrary_stillLoadsAndItsProgramRuns() throws IOException {
        Path program = copy(built.main(), "main");
        for (String so : List.of("libgreet.so.1", "libextra.so.1", "libunused.so.1")) {
            copy(built.lib().resolve(so), "lib/" + so);
        }
        Path greet = dir.resolve("lib/libgreet.so.1");
        edit(greet, new ElfEdit.SetSearchPath(bs("/nix/store/" + "g".repeat(32) + "-glibc-2.40/lib"), SearchPathTag.RUNPATH),
                new ElfEdit.AddNeeded(bs("libc.so.6")));
        edit(program, new ElfEdit.SetSearchPath(bs(dir.resolve("lib").toString()), SearchPathTag.RUNPATH));
        assertRuns(program);
        assertTrue(Native.run(dir, "ldd", program.toString()).out().contains(greet.toString()));
    }

    @Test
    void newSegment_usesAPtNullSlotInsteadOfGrowingTheTable() throws IOException {
        Path program = copy(built.main(), "main");
        ElfFile before = ElfFile.open(program);
        ProgramHeader stack = before.programHeaders().stream().filter(p -> p.type() == ElfConstants.PT_GNU_STACK)
                .findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(program);
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) stack.headerOffset(), 0);
        Files.write(program, bytes);
        long interpOffset = ElfFile.open(program).interpreter().orElseThrow().segment().offset();

        edit(program, new ElfEdit.SetSearchPath(bs(built.lib() + ":/" + "n".repeat(200)), SearchPathTag.RUNPATH));
        ElfFile f = ElfFile.open(program);
        assertEquals(before.programHeaders().size(), f.programHeaders().size());
        assertTrue(f.programHeaders().stream().noneMatch(p -> p.type() == ElfConstants.PT_NULL));
        assertEquals(interpOffset, f.interpreter().orElseThrow().segment().offset(), ".interp moved for nothing");
        assertRuns(program);
    }

    /** The program without section headers, as sstrip leaves it: the loader never reads them. */
    private Path withoutSectionHeaders(String name) throws IOException {
        Path program = copy(built.main(), name);
        byte[] bytes = Files.readAllBytes(program);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(40, 0); // e_shoff
        b.putShort(60, (short) 0); // e_shnum
        b.putShort(62, (short) 0); // e_shstrndx
        Files.write(program, bytes);
        assertTrue(ElfFile.open(program).sectionHeaders().isEmpty());
        return program;
    }

    @Test
    void withoutSectionHeaders_editThatFits_isMadeInPlaceAndRuns() throws IOException {
        Path program = withoutSectionHeaders("main");
        long size = Files.size(program);
        edit(program, new ElfEdit.SetSearchPath(bs(built.lib().toString()), SearchPathTag.RPATH),
                new ElfEdit.ReplaceNeeded(bs("libextra.so.1"), bs("libextra.so.1")));
        assertEquals(size, Files.size(program));
        assertEquals(bs(built.lib().toString()), ElfFile.open(program).rpath().orElseThrow());
        assertRuns(program);
    }

    @Test
    void withoutSectionHeaders_growthNeedingAProgramHeader_isRefusedUntouched() throws IOException {
        Path program = withoutSectionHeaders("main");
        byte[] before = Files.readAllBytes(program);
        dev.closurewrap.io.UnsupportedInputException e = assertThrows(dev.closurewrap.io.UnsupportedInputException.class,
                () -> edit(program, new ElfEdit.SetSearchPath(bs("/" + "z".repeat(400)), SearchPathTag.RUNPATH)));
        assertTrue(e.reason().contains("program header table must grow"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(program));
    }

    @Test
    void regression_fileOver4GiB_newSegmentAbove4GiBProgramRuns() throws IOException, InterruptedException {
        // A sparse file: the section header table moved to 4.5 GiB, a hole in between.
        Path program = copy(built.main(), "main");
        ElfFile f = ElfFile.open(program);
        long shoff = f.header().shoff();
        int shsize = f.sectionHeaders().size() * 64;
        long far = (9L << 29) + 8; // 4.5 GiB
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(program,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer table = java.nio.ByteBuffer.allocate(shsize);
            c.read(table, shoff);
            c.write(table.flip(), far);
            java.nio.ByteBuffer offset = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(0, far);
            c.write(offset, 40);
        }
        assertEquals(far + shsize, Files.size(program));

        String runpath = built.lib() + ":/nix/store/" + "h".repeat(32) + "-beyond-4-gib/lib";
        ElfPatch patch = ElfEditor.plan(program, List.of(new ElfEdit.SetSearchPath(bs(runpath), SearchPathTag.RUNPATH)));
        // Apply the patch to a sparse copy (copying 4.5 GiB of zeros would only test the disk).
        Path edited = dir.resolve("edited");
        assertEquals(0, Native.run(dir, "cp", "--sparse=always", program.toString(), edited.toString()).exit());
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(edited,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (ElfPatch.Write w : patch.writes()) {
                c.write(java.nio.ByteBuffer.wrap(w.bytes()), w.offset());
            }
            c.truncate(patch.newSize());
        }
        ElfFile result = ElfFile.open(edited);
        ProgramHeader added = ElfEditorTest.lastLoad(result);
        assertTrue(added.offset() > 1L << 32, "segment at 0x" + Long.toHexString(added.offset()));
        assertEquals(bs(runpath), result.runpath().orElseThrow());
        assertTrue(patch.growth() < 8192, "grew by " + patch.growth());
        ElfEditorTest.assertValidLayout(result);
        assertRuns(edited);
    }

    @Test
    void edit_keepsTheModeOfTheFile() throws IOException {
        Path program = copy(built.main(), "main");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("r-xr-x---"));
        edit(program, new ElfEdit.SetSearchPath(bs("/" + "m".repeat(300)), SearchPathTag.RUNPATH));
        assertEquals("r-xr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(program)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(program), files.toList(), "temporary file left behind");
        }
    }
}
