package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.Processes;
import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfEditor;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code closure-wrap patch} on a program gcc builds at test time. */
class PatchCommandTest {
    @TempDir
    static Path shared;
    static Path built;
    static Path libDir;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws IOException, InterruptedException {
        libDir = Files.createDirectories(shared.resolve("lib"));
        Files.writeString(shared.resolve("greet.c"), "const char *greet(void) { return \"hi\"; }\n");
        Files.writeString(shared.resolve("main.c"),
                "#include <stdio.h>\nconst char *greet(void);\nint main(void) { puts(greet()); return 0; }\n");
        exec(shared, "gcc", "-shared", "-fPIC", "-o", "lib/libgreet.so.1", "-Wl,-soname,libgreet.so.1", "greet.c");
        Files.createSymbolicLink(libDir.resolve("libgreet.so"), Path.of("libgreet.so.1"));
        exec(shared, "gcc", "-o", "main", "main.c", "-Llib", "-lgreet", "-Wl,-rpath," + libDir,
                "-Wl,--enable-new-dtags");
        built = shared.resolve("main");
    }

    static String exec(Path dir, String... command) throws IOException {
        return Processes.check(dir, command);
    }

    private Path program(String name) throws IOException {
        Path to = dir.resolve(name);
        Files.copy(built, to, StandardCopyOption.COPY_ATTRIBUTES);
        return to;
    }

    private static MainTest.Result patch(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "patch";
        System.arraycopy(args, 0, all, 1, args.length);
        return MainTest.run(all);
    }

    @Test
    void printOptions_showTheDynamicInformation() throws IOException {
        Path p = program("main");
        MainTest.Result r = patch("--print-interpreter", "--print-rpath", "--print-needed", p.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("/lib64/ld-linux-x86-64.so.2\n" + libDir + "\nlibgreet.so.1\nlibc.so.6\n", r.out());
    }

    @Test
    void everyEditInOneCall_programRunsAndReadsBack() throws IOException, InterruptedException {
        Path p = program("main");
        String runpath = libDir + ":/nix/store/" + "r".repeat(32) + "-a-long-runpath/lib";
        String libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        MainTest.Result r = patch("--set-rpath", runpath, "--add-needed", "libm.so.6", "--add-needed", "libdl.so.2",
                "--replace-needed", "libc.so.6", libc, "--set-interpreter", "/lib64/../lib64/ld-linux-x86-64.so.2",
                "--set-soname", "main.so", p.toString());
        assertEquals(0, r.code(), r.err());

        MainTest.Result back = patch("--print-interpreter", "--print-soname", "--print-rpath", "--print-needed",
                p.toString());
        assertEquals("/lib64/../lib64/ld-linux-x86-64.so.2\nmain.so\n" + runpath + "\nlibm.so.6\nlibdl.so.2\n"
                + "libgreet.so.1\n" + libc + "\n", back.out());
        assertEquals("hi\n", exec(dir, p.toString()));
    }

    @Test
    void forceRpath_writesDtRpath() throws IOException, InterruptedException {
        Path p = program("main");
        assertEquals(0, patch("--force-rpath", "--set-rpath", libDir.toString(), p.toString()).code());
        String dynamic = exec(dir, "readelf", "-d", p.toString());
        assertTrue(dynamic.contains("(RPATH)"), dynamic);
        assertFalse(dynamic.contains("(RUNPATH)"), dynamic);
        assertEquals("hi\n", exec(dir, p.toString()));
    }

    @Test
    void shrinkRpath_keepsOnlyDirectoriesHoldingANeededLibrary() throws IOException {
        Path p = program("main");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        patch("--set-rpath", empty + ":" + libDir + ":$ORIGIN/x:/nonexistent", p.toString());
        MainTest.Result r = patch("--shrink-rpath", p.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(libDir + ":$ORIGIN/x\n", patch("--print-rpath", p.toString()).out());

        patch("--set-rpath", libDir.toString(), p.toString());
        patch("--shrink-rpath", "--allowed-rpath-prefixes", "/elsewhere", p.toString());
        assertEquals("\n", patch("--print-rpath", p.toString()).out());
    }

    @Test
    void shrinkRpath_relativeEntryNotUtf8_keptByteForByte() throws IOException {
        Path p = program("main");
        byte[] notUtf8 = {'$', 'O', 'R', 'I', 'G', 'I', 'N', '/', (byte) 0xff, 'x'};
        ByteString runpath = ByteString.utf8("/nonexistent:").concat(ByteString.of(notUtf8))
                .concat(ByteString.utf8(":" + libDir));
        ElfEditor.edit(p, p, List.of(new ElfEdit.SetSearchPath(runpath, SearchPathTag.RUNPATH)));

        MainTest.Result r = patch("--shrink-rpath", p.toString());

        assertEquals(0, r.code(), r.err());
        assertEquals(Optional.of(ByteString.of(notUtf8).concat(ByteString.utf8(":" + libDir))),
                ElfFile.open(p).runpath());
    }

    @Test
    void output_writesElsewhereAndLeavesTheInput() throws IOException, InterruptedException {
        Path p = program("main");
        byte[] before = Files.readAllBytes(p);
        Path out = dir.resolve("out");
        assertEquals(0, patch("--set-rpath", libDir + ":/opt/x", "--output", out.toString(), p.toString()).code());
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals("hi\n", exec(dir, out.toString()));
        assertTrue(Files.isExecutable(out));
    }

    @Test
    void editThatChangesNothing_doesNotWriteTheFile() throws IOException {
        Path p = program("main");
        Files.setLastModifiedTime(p, FileTime.fromMillis(1000));
        byte[] before = Files.readAllBytes(p);
        assertEquals(0, patch("--set-rpath", libDir.toString(), "--replace-needed", "libnone.so", "libx.so",
                p.toString()).code());
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(1000, Files.getLastModifiedTime(p).toMillis());
    }

    @Test
    void severalFiles_oneBad_othersEditedAndExitOne() throws IOException {
        Path a = program("a");
        Path b = program("b");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not an ELF file at all\n");
        MainTest.Result r = patch("--set-rpath", "/opt/lib", a.toString(), text.toString(), b.toString());
        assertEquals(ExitCodes.SOME_FILES_FAILED, r.code());
        assertTrue(r.err().contains("notes.txt: bad ELF at 0x0"), r.err());
        for (Path p : List.of(a, b)) {
            assertEquals("/opt/lib\n", patch("--print-rpath", p.toString()).out());
        }
    }

    @Test
    void oneBadFile_isBadInput() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not ELF\n");
        MainTest.Result r = patch("--set-rpath", "/opt/lib", text.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("bad ELF"), r.err());
    }

    @Test
    void staticProgram_isRefusedAndLeftAlone() throws IOException {
        Path busybox = dir.resolve("busybox");
        Files.copy(Path.of("/bin/busybox"), busybox);
        byte[] before = Files.readAllBytes(busybox);
        MainTest.Result r = patch("--set-rpath", "/opt/lib", busybox.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("not supported: static executable"), r.err());
        assertArrayEquals(before, Files.readAllBytes(busybox));
    }

    @Test
    void emptySoname_isUsageError_andNoFileIsTouched() throws IOException {
        Path p = program("main");
        byte[] before = Files.readAllBytes(p);
        MainTest.Result r = patch("--set-soname", "", p.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--set-soname"), r.err());
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void emptyNeeded_inABatch_isUsageError() throws IOException {
        MainTest.Result r = patch("--add-needed", "", program("a").toString(), program("b").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
    }

    @Test
    void replaceNeededWithOneArgument_isUsageError() throws IOException {
        assertEquals(ExitCodes.USAGE, patch("--replace-needed", "libc.so.6", program("main").toString()).code());
    }

    @Test
    void outputWithSeveralFiles_isUsageError() throws IOException {
        assertEquals(ExitCodes.USAGE, patch("--set-rpath", "/x", "--output", dir.resolve("o").toString(),
                program("a").toString(), program("b").toString()).code());
    }
}
