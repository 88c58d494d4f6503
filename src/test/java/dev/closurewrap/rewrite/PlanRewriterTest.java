package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.Processes;
import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.plan.Action;
import dev.closurewrap.plan.FilePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanRewriterTest {
    @TempDir
    Path dir;

    private static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    private Path library() throws IOException {
        Files.writeString(dir.resolve("foo.c"), "int foo(void) { return 42; }\n");
        Path lib = dir.resolve("libfoo.so.1");
        Processes.check(dir, "gcc", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-Wl,-rpath,/nix/store/x/lib",
                "-o", lib.toString(), dir.resolve("foo.c").toString());
        return lib;
    }

    private static FilePlan plan(Path source, Action action) {
        return new FilePlan(bs("store/h-x/lib/libfoo.so.1"), Optional.of(source), Optional.of("00".repeat(32)), 0, false, action);
    }

    @Test
    void editElf_writesTheEditedFile_andLeavesTheInputAlone() throws Exception {
        Path lib = library();
        byte[] before = Files.readAllBytes(lib);
        Path out = dir.resolve("out");
        PlanRewriter.write(plan(lib, new Action.EditElf(List.of(
                new ElfEdit.SetNeeded(List.of(bs("$ORIGIN/../../h-glibc/lib/libc.so.6"), bs("libc.so.6"))),
                new ElfEdit.SetSearchPath(bs("$ORIGIN/../../h-glibc/lib"), SearchPathTag.RUNPATH)))), out);
        ElfFile edited = ElfFile.open(out);
        assertEquals(List.of(bs("$ORIGIN/../../h-glibc/lib/libc.so.6"), bs("libc.so.6")), edited.needed());
        assertEquals(Optional.of(bs("$ORIGIN/../../h-glibc/lib")), edited.runpath());
        assertEquals(java.util.Arrays.hashCode(before), java.util.Arrays.hashCode(Files.readAllBytes(lib)));
    }

    @Test
    void readBack_refusesAnOutputThatDoesNotSayWhatWasPlanned() throws Exception {
        Path lib = library();
        ElfFile file = ElfFile.open(lib);
        IOException e = assertThrows(IOException.class, () -> PlanRewriter.readBack(lib, file,
                List.of(new ElfEdit.SetNeeded(List.of(bs("libz.so.1")))), file));
        assertTrue(e.getMessage().contains("read back with DT_NEEDED"), e.getMessage());
    }

    @Test
    void relocateScript_withAnInterpreterOutsideTheBundle_isRefused() throws Exception {
        Path script = Files.writeString(dir.resolve("s"), "#!/nix/store/00000000000000000000000000000000-perl/bin/perl\nprint 1;\n");
        FilePlan plan = new FilePlan(bs("store/h-x/bin/s"), Optional.of(script), Optional.of("00".repeat(32)), 0, true,
                new Action.RelocateScript(bs("h-x/bin/s"), bs("/nix/store"), new TreeSet<>()));
        assertThrows(UnsupportedInputException.class, () -> PlanRewriter.write(plan, dir.resolve("out")));
    }
}
