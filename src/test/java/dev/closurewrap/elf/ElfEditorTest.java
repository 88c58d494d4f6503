package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The editor on tiny fixtures built in code, in both classes and byte orders. */
class ElfEditorTest {
    static Stream<Arguments> layouts() {
        return ElfBuilder.layouts();
    }

    static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    private static final String STORE_LIB = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-foo/lib";

    static ElfBuilder library(ElfClass c, ElfData d) {
        return ElfBuilder.of(c, d).needed("libfoo.so.1", "libc.so.6").soname("libbar.so.2")
                .runpath("$ORIGIN/../lib:" + STORE_LIB)
                .versionNeed("libc.so.6", "GLIBC_2.2.5", "GLIBC_2.34").versionNeed("libfoo.so.1", "FOO_1");
    }

    static ElfBuilder executable(ElfClass c, ElfData d) {
        return ElfBuilder.of(c, d).type(ET_EXEC).interpreter("/lib/ld-linux.so.2").needed("libfoo.so.1", "libc.so.6")
                .versionNeed("libc.so.6", "GLIBC_2.2.5").spareDynamicSlots(0);
    }

    static byte[] edit(byte[] input, ElfEdit... edits) throws IOException {
        byte[] before = input.clone();
        byte[] out = ElfEditor.edit("fixture", input, List.of(edits));
        assertArrayEquals(before, input, "the input array was changed");
        return out;
    }

    static ElfFile parse(byte[] bytes) throws IOException {
        return ElfFile.parse("edited", bytes);
    }

    static boolean contains(byte[] haystack, String needle) {
        return ByteString.of(haystack).indexOf(bs(needle)) >= 0;
    }

    // ---- nothing to do ----

    @ParameterizedTest
    @MethodSource("layouts")
    void editsThatChangeNothing_leaveTheFileByteForByte(ElfClass c, ElfData d) throws IOException {
        byte[] input = library(c, d).build().bytes();
        ElfPatch patch = ElfEditor.plan("fixture", input, List.of(
                new ElfEdit.ReplaceNeeded(bs("libfoo.so.1"), bs("libfoo.so.1")),
                new ElfEdit.SetSoname(bs("libbar.so.2")),
                new ElfEdit.SetSearchPath(bs("$ORIGIN/../lib:" + STORE_LIB), SearchPathTag.RUNPATH),
                new ElfEdit.ReplaceNeeded(bs("libabsent.so"), bs("libother.so"))));
        assertTrue(patch.isEmpty(), patch.toString());
        assertArrayEquals(input, patch.applyTo(input));
    }

    @Test
    void editFile_withALongName_writesThroughATempNameThatFits(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("libfoo-" + "x".repeat(240) + ".so"); // 250 bytes: legal, near NAME_MAX
        Files.write(file, library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes());

        assertTrue(ElfEditor.edit(file, file, List.of(new ElfEdit.SetSoname(bs("libnew.so.3")))));

        assertEquals(Optional.of(bs("libnew.so.3")), ElfFile.open(file).soname());
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(file), entries.toList(), "no temp file left");
        }
    }

    @Test
    void noEdits_onAnyKind_isEmpty() throws IOException {
        byte[] input = ElfBuilder.elf64le().type(ET_EXEC).noDynamic().build().bytes();
        assertTrue(ElfEditor.plan("static", input, List.of()).isEmpty());
    }

    // ---- replace needed ----

    @ParameterizedTest
    @MethodSource("layouts")
    void replaceNeeded_shorterName_editedInPlaceAndOldStringCleared(ElfClass c, ElfData d) throws IOException {
        byte[] input = library(c, d).build().bytes();
        byte[] out = edit(input, new ElfEdit.ReplaceNeeded(bs("libfoo.so.1"), bs("libz.so")));

        assertEquals(input.length, out.length, "no growth");
        ElfFile f = parse(out);
        assertEquals(List.of(bs("libz.so"), bs("libc.so.6")), f.needed());
        assertEquals(bs("libz.so"), f.versionNeeds().get(1).fileName(), "vn_file follows DT_NEEDED");
        assertEquals(List.of(bs("FOO_1")), f.versionNeeds().get(1).aux().stream().map(VersionNeedAux::name).toList());
        assertFalse(contains(out, "libfoo.so.1"), "stale string left in the table");
        assertEquals(parse(input).programHeaders().size(), f.programHeaders().size());
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void replaceNeeded_longerNames_moveStringTableToOneNewLoadSegment(ElfClass c, ElfData d) throws IOException {
        byte[] input = library(c, d).build().bytes();
        String longName = STORE_LIB.replace("-foo", "-libfoo-with-a-much-longer-name") + "/libfoo.so.1";
        byte[] out = edit(input, new ElfEdit.ReplaceNeeded(bs("libfoo.so.1"), bs(longName)));

        ElfFile f = parse(out);
        assertEquals(List.of(bs(longName), bs("libc.so.6")), f.needed());
        assertEquals(bs(longName), f.versionNeeds().get(1).fileName());
        assertEquals(bs("libbar.so.2"), f.soname().orElseThrow());
        assertEquals(bs("$ORIGIN/../lib:" + STORE_LIB), f.runpath().orElseThrow());
        ProgramHeader added = lastLoad(f);
        assertEquals(added.offset() % f.pageSize(), added.vaddr() % f.pageSize(), "offset ≡ vaddr mod page");
        assertTrue(added.fileImageContains(f.dynamicStringTable().orElseThrow().address(), 1), "DT_STRTAB moved there");
        assertEquals(f.dynamicStringTable().orElseThrow().fileOffset(), f.section(".dynstr").orElseThrow().offset());
        assertFalse(contains(Arrays.copyOf(out, input.length), "libfoo.so.1"), "the old table was not cleared");
        assertValidLayout(f);
        assertTrue(out.length - input.length < 1024, "grew by " + (out.length - input.length));
    }

    // ---- version needs on --remove-needed ----

    @ParameterizedTest
    @MethodSource("layouts")
    void removeNeeded_dropsItsVersionNeedAndRelinksTheChain(ElfClass c, ElfData d) throws IOException {
        byte[] input = library(c, d).build().bytes();
        byte[] out = edit(input, new ElfEdit.RemoveNeeded(bs("libfoo.so.1")));

        ElfFile f = parse(out);
        assertEquals(List.of(bs("libc.so.6")), f.needed());
        assertEquals(List.of(bs("libc.so.6")), f.versionNeeds().stream().map(VersionNeed::fileName).toList());
        assertEquals(1, f.dynamic().orElseThrow().value(DT_VERNEEDNUM).orElseThrow());
        assertEquals(0, f.versionNeeds().get(0).next(), "the last entry ends the chain");
        assertEquals(1, f.section(".gnu.version_r").orElseThrow().info(), "sh_info counts the entries");
        assertFalse(contains(out, "FOO_1"), "the dropped version name is cleared");
        assertFalse(contains(out, "libfoo.so.1"));
    }

    @Test
    void removeNeeded_firstVersionNeed_movesDtVerneedToTheNext() throws IOException {
        byte[] input = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        long before = parse(input).dynamic().orElseThrow().value(DT_VERNEED).orElseThrow();
        byte[] out = edit(input, new ElfEdit.RemoveNeeded(bs("libc.so.6")));

        ElfFile f = parse(out);
        assertEquals(List.of(bs("libfoo.so.1")), f.versionNeeds().stream().map(VersionNeed::fileName).toList());
        assertEquals(before + 16 + 2 * 16, f.dynamic().orElseThrow().value(DT_VERNEED).orElseThrow());
        assertTrue(contains(out, "GLIBC_2.34") == false, "libc's version names are cleared");
    }

    @Test
    void removeNeeded_everyVersionedLibrary_removesTheVersionNeedTags() throws IOException {
        byte[] input = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        byte[] out = edit(input, new ElfEdit.RemoveNeeded(bs("libc.so.6")), new ElfEdit.RemoveNeeded(bs("libfoo.so.1")));

        ElfFile f = parse(out);
        assertTrue(f.needed().isEmpty());
        assertTrue(f.versionNeeds().isEmpty());
        assertTrue(f.dynamic().orElseThrow().value(DT_VERNEED).isEmpty());
        assertTrue(f.dynamic().orElseThrow().value(DT_VERNEEDNUM).isEmpty());
    }

    // ---- tail sharing ----

    @Test
    void removeNeeded_keepsTheTailAnotherEntryStillUses() throws IOException {
        // DT_AUXILIARY points at "foo.so.1" inside "libfoo.so.1" (string index 1, plus 3).
        byte[] input = ElfBuilder.elf64le().needed("libfoo.so.1", "libc.so.6").soname("libbar.so")
                .dynamicEntry(DT_AUXILIARY, 4).build().bytes();
        assertEquals(bs("libfoo.so.1"), parse(input).needed().get(0), "fixture layout");
        byte[] out = edit(input, new ElfEdit.RemoveNeeded(bs("libfoo.so.1")));

        assertFalse(contains(out, "libfoo.so.1"));
        assertTrue(contains(out, "foo.so.1"), "the shared tail was cleared");
        assertEquals(List.of(bs("libc.so.6")), parse(out).needed());
    }

    @Test
    void replaceNeeded_newNameIsTailOfKeptString_reusesIt() throws IOException {
        byte[] input = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        // "c.so.6" is the tail of "libc.so.6", which stays.
        byte[] out = edit(input, new ElfEdit.ReplaceNeeded(bs("libfoo.so.1"), bs("c.so.6")));
        ElfFile f = parse(out);
        assertEquals(List.of(bs("c.so.6"), bs("libc.so.6")), f.needed());
        List<DynamicString> needed = f.dynamicStrings(DT_NEEDED);
        assertEquals(needed.get(1).entry().value() + 3, needed.get(0).entry().value());
    }

    // ---- search path, soname, needed list ----

    @ParameterizedTest
    @MethodSource("layouts")
    void setSearchPath_forceRpath_convertsRunpathToRpath(ElfClass c, ElfData d) throws IOException {
        byte[] out = edit(library(c, d).build().bytes(), new ElfEdit.SetSearchPath(bs("/opt/lib"), SearchPathTag.RPATH));
        ElfFile f = parse(out);
        assertEquals(bs("/opt/lib"), f.rpath().orElseThrow());
        assertTrue(f.runpath().isEmpty());
        assertFalse(contains(out, STORE_LIB), "the old store path survived");
    }

    @Test
    void setSearchPath_onRpath_convertsToRunpath() throws IOException {
        byte[] input = ElfBuilder.elf64le().needed("libc.so.6").rpath("/old").build().bytes();
        ElfFile f = parse(edit(input, new ElfEdit.SetSearchPath(bs("/new"), SearchPathTag.RUNPATH)));
        assertEquals(bs("/new"), f.runpath().orElseThrow());
        assertTrue(f.rpath().isEmpty());
    }

    @Test
    void addSearchPath_appendsToTheExistingOne() throws IOException {
        ElfFile f = parse(edit(library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes(),
                new ElfEdit.AddSearchPath(bs("/extra"), SearchPathTag.RUNPATH)));
        assertEquals(bs("$ORIGIN/../lib:" + STORE_LIB + ":/extra"), f.runpath().orElseThrow());
    }

    @Test
    void removeSearchPath_removesEveryEntryAndClearsTheString() throws IOException {
        byte[] out = edit(library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes(), new ElfEdit.RemoveSearchPath());
        ElfFile f = parse(out);
        assertTrue(f.runpath().isEmpty() && f.rpath().isEmpty());
        assertFalse(contains(out, STORE_LIB));
    }

    @Test
    void setSoname_withoutOne_addsTheEntry() throws IOException {
        byte[] input = ElfBuilder.elf64le().needed("libc.so.6").spareDynamicSlots(0).build().bytes();
        ElfFile f = parse(edit(input, new ElfEdit.SetSoname(bs("libnew.so.1"))));
        assertEquals(bs("libnew.so.1"), f.soname().orElseThrow());
        assertEquals(List.of(bs("libc.so.6")), f.needed());
        assertValidLayout(f);
    }

    @Test
    void addNeeded_severalNames_prependedInTheOrderGiven() throws IOException {
        ElfFile f = parse(edit(library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes(),
                new ElfEdit.AddNeeded(bs("libz.so.1")), new ElfEdit.AddNeeded(bs("liba.so.1"))));
        assertEquals(List.of(bs("libz.so.1"), bs("liba.so.1"), bs("libfoo.so.1"), bs("libc.so.6")), f.needed());
        assertValidLayout(f);
    }

    @Test
    void setNeeded_reordersWithoutGrowing() throws IOException {
        byte[] input = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        byte[] out = edit(input, new ElfEdit.SetNeeded(List.of(bs("libc.so.6"), bs("libfoo.so.1"))));
        assertEquals(input.length, out.length);
        assertEquals(List.of(bs("libc.so.6"), bs("libfoo.so.1")), parse(out).needed());
    }

    @Test
    void setNeededThenKeptSonames_pathEntriesFirst_versionNeedsStillMatchSonames() throws IOException {
        // The relative mode's shape: $ORIGIN paths first, the original sonames after them.
        byte[] input = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        List<ByteString> names = List.of(bs("$ORIGIN/../../foo/lib/libfoo.so.1"), bs("$ORIGIN/../../glibc/lib/libc.so.6"),
                bs("libfoo.so.1"), bs("libc.so.6"));
        ElfFile f = parse(edit(input, new ElfEdit.SetNeeded(names)));
        assertEquals(names, f.needed());
        assertEquals(List.of(bs("libc.so.6"), bs("libfoo.so.1")),
                f.versionNeeds().stream().map(VersionNeed::fileName).toList());
        assertValidLayout(f);
    }

    // ---- interpreter and growth of the program header table ----

    @ParameterizedTest
    @MethodSource("layouts")
    void setInterpreter_longer_movesItAndGrowsTheProgramHeaderTable(ElfClass c, ElfData d) throws IOException {
        byte[] input = executable(c, d).build().bytes();
        String interp = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-glibc-2.40/lib/ld-linux.so.2";
        byte[] out = edit(input, new ElfEdit.SetInterpreter(bs(interp)));

        ElfFile f = parse(out);
        assertEquals(bs(interp), f.interpreterPath().orElseThrow());
        assertEquals(parse(input).programHeaders().size() + 1, f.programHeaders().size());
        assertEquals(List.of(bs("libfoo.so.1"), bs("libc.so.6")), f.needed());
        assertTrue(lastLoad(f).fileImageContains(f.interpreter().orElseThrow().segment().vaddr(), interp.length() + 1));
        assertFalse(contains(Arrays.copyOf(out, input.length), "/lib/ld-linux.so.2"), "old interpreter left behind");
        assertValidLayout(f);
    }

    @Test
    void setInterpreter_shorter_editedInPlace() throws IOException {
        byte[] input = executable(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        byte[] out = edit(input, new ElfEdit.SetInterpreter(bs("/lib/ld.so")));
        assertEquals(input.length, out.length);
        assertEquals(bs("/lib/ld.so"), parse(out).interpreterPath().orElseThrow());
        assertFalse(contains(out, "ld-linux"));
    }

    @Test
    void setInterpreter_onLibraryWithoutOne_isRefused() {
        byte[] input = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                () -> ElfEditor.plan("lib.so", input, List.of(new ElfEdit.SetInterpreter(bs("/lib/ld.so")))));
        assertTrue(e.getMessage().contains("no PT_INTERP"), e.getMessage());
    }

    // ---- repeated edits ----

    @ParameterizedTest
    @MethodSource("layouts")
    void secondEdit_reusesTheAddedSegment(ElfClass c, ElfData d) throws IOException {
        byte[] input = executable(c, d).build().bytes();
        String a = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-first/lib";
        String b = "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-second/lib";
        byte[] once = edit(input, new ElfEdit.SetSearchPath(bs(a), SearchPathTag.RUNPATH));
        byte[] twice = edit(once, new ElfEdit.SetSearchPath(bs(b), SearchPathTag.RUNPATH));
        byte[] direct = edit(input, new ElfEdit.SetSearchPath(bs(b), SearchPathTag.RUNPATH));

        ElfFile f = parse(twice);
        assertEquals(bs(b), f.runpath().orElseThrow());
        assertEquals(parse(once).programHeaders().size(), f.programHeaders().size(), "a second segment was added");
        assertTrue(twice.length <= direct.length, "editing twice (" + twice.length + " bytes) grew more than editing once ("
                + direct.length + ")");
        assertFalse(contains(twice, a));
        assertValidLayout(f);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {EM_X86_64, EM_AARCH64, EM_PPC64, EM_SPARCV9, EM_386, EM_S390})
    void regression_misalignedLoad_newSegmentCongruentModuloTheMachinesPageSize(int machine) throws IOException {
        ElfClass c = machine == EM_386 ? ElfClass.ELF32 : ElfClass.ELF64;
        ElfData d = machine == EM_PPC64 || machine == EM_SPARCV9 || machine == EM_S390 ? ElfData.BIG_ENDIAN
                : ElfData.LITTLE_ENDIAN;
        byte[] input = executable(c, d).machine(machine).build().bytes();
        byte[] out = edit(input, new ElfEdit.SetSearchPath(bs(STORE_LIB + "/and/a/longer/tail"), SearchPathTag.RUNPATH));
        ElfFile f = parse(out);
        long page = machine == EM_AARCH64 || machine == EM_PPC64 ? 65536 : machine == EM_SPARCV9 ? 8192 : 4096;
        assertEquals(page, f.pageSize());
        ProgramHeader added = lastLoad(f);
        assertEquals(page, added.align());
        assertEquals(added.offset() % page, added.vaddr() % page);
        assertTrue(out.length - input.length < 1024, "grew by " + (out.length - input.length) + ": padded to a page?");
        assertValidLayout(f);
    }

    @Test
    void sameInputAndEdits_giveTheSameBytes() throws IOException {
        byte[] input = executable(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        ElfEdit e = new ElfEdit.SetSearchPath(bs(STORE_LIB), SearchPathTag.RUNPATH);
        assertArrayEquals(edit(input, e), edit(input, e));
    }

    // ---- golden layout ----

    /** Program headers, section headers and dynamic entries, one per line, for a golden comparison. */
    static String dump(ElfFile f) {
        StringBuilder sb = new StringBuilder();
        for (ProgramHeader p : f.programHeaders()) {
            sb.append(String.format("%-8s off 0x%05x vaddr 0x%07x filesz 0x%04x memsz 0x%04x flags %d align 0x%x%n",
                    p.typeName(), p.offset(), p.vaddr(), p.filesz(), p.memsz(), p.flags(), p.align()));
        }
        for (SectionHeader s : f.sectionHeaders()) {
            if (s.index() > 0) {
                sb.append(String.format("%-14s off 0x%05x addr 0x%07x size 0x%04x%n", s.name(), s.offset(), s.addr(), s.size()));
            }
        }
        for (DynamicEntry e : f.dynamic().orElseThrow().entries()) {
            sb.append(String.format("dyn 0x%08x 0x%x%n", e.tag(), e.value()));
        }
        f.dynamicStrings().forEach(d -> sb.append(ElfReader.tagName(d.tag())).append(' ').append(d.value()).append('\n'));
        f.interpreterPath().ifPresent(i -> sb.append("interp ").append(i).append('\n'));
        return sb.toString();
    }

    @Test
    void golden_executableGrowingEverything_layout() throws IOException {
        byte[] input = executable(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build().bytes();
        byte[] out = edit(input, new ElfEdit.SetInterpreter(bs("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-glibc/lib/ld.so")),
                new ElfEdit.SetSearchPath(bs("$ORIGIN/../lib"), SearchPathTag.RUNPATH),
                new ElfEdit.ReplaceNeeded(bs("libfoo.so.1"), bs("$ORIGIN/../lib/libfoo.so.1")),
                new ElfEdit.AddNeeded(bs("libfoo.so.1")));
        // Reviewed by hand: the block behind the three program headers (.interp and .dynstr, 0xe8..0x120)
        // moved to 0x3e8 (congruent mod 64) behind the 16-byte marker at 0x3c0; the new interpreter,
        // table and dynamic array follow; the segment is at the first page above 0x4003b0 with the
        // file offset's page remainder; --add-needed puts its name first; "libfoo.so.1" and
        // "libc.so.6" keep their indices, the two new strings are appended (0x23, 0x3e).
        String expected = """
                LOAD     off 0x00000 vaddr 0x0400000 filesz 0x03b0 memsz 0x03b0 flags 5 align 0x1000
                LOAD     off 0x003c0 vaddr 0x04013c0 filesz 0x0180 memsz 0x0180 flags 6 align 0x1000
                INTERP   off 0x00420 vaddr 0x0401420 filesz 0x003c memsz 0x003c flags 4 align 0x1
                DYNAMIC  off 0x004b0 vaddr 0x04014b0 filesz 0x0090 memsz 0x0090 flags 6 align 0x8
                .interp        off 0x00420 addr 0x0401420 size 0x003c
                .dynstr        off 0x0045c addr 0x040145c size 0x004d
                .gnu.version_r off 0x00120 addr 0x0400120 size 0x0020
                .dynamic       off 0x004b0 addr 0x04014b0 size 0x0090
                .text          off 0x00040 addr 0x0400040 size 0x0000
                .shstrtab      off 0x001b0 addr 0x0000000 size 0x0039
                dyn 0x00000001 0x1
                dyn 0x00000001 0x23
                dyn 0x00000001 0xd
                dyn 0x0000001d 0x3e
                dyn 0x00000005 0x40145c
                dyn 0x0000000a 0x4d
                dyn 0x6ffffffe 0x400120
                dyn 0x6fffffff 0x1
                dyn 0x00000000 0x0
                DT_NEEDED libfoo.so.1
                DT_NEEDED $ORIGIN/../lib/libfoo.so.1
                DT_NEEDED libc.so.6
                DT_RUNPATH $ORIGIN/../lib
                interp /nix/store/0123456789abcdfghijklmnpqrsvwxyz-glibc/lib/ld.so
                """;
        assertEquals(0x540, out.length);
        assertEquals(expected, dump(parse(out)));
    }

    // ---- refusals ----

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("static executable", ElfBuilder.elf64le().type(ET_EXEC).noDynamic(), "static executable"),
                Arguments.of("static-pie", ElfBuilder.elf64le().needed().flags1(DF_1_PIE), "static-pie"),
                Arguments.of("loader", ElfBuilder.elf64le().soname("ld-linux-x86-64.so.2"), "loader"),
                Arguments.of("debug file", library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).debugFile(), "debug file"),
                Arguments.of("relocatable", ElfBuilder.elf64le().type(ET_REL).noDynamic(), "relocatable"),
                Arguments.of("shared object without dynamic section", ElfBuilder.elf64le().noDynamic(), "static-pie"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void unmovableObjects_areRefusedWithAReason(String what, ElfBuilder builder, String reason) {
        byte[] input = builder.build().bytes();
        byte[] before = input.clone();
        UnsupportedInputException e = assertThrows(UnsupportedInputException.class, () -> ElfEditor.plan(
                "obj", input, List.of(new ElfEdit.SetSearchPath(bs("/x"), SearchPathTag.RUNPATH))));
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertArrayEquals(before, input);
    }

    // ---- helpers ----

    static ProgramHeader lastLoad(ElfFile f) {
        ProgramHeader last = null;
        for (ProgramHeader p : f.programHeaders()) {
            if (p.isLoad()) {
                last = p;
            }
        }
        return last;
    }

    /** What the kernel and the loaders rely on: sorted, congruent, non-overlapping loads covering what they must. */
    static void assertValidLayout(ElfFile f) {
        long page = f.pageSize();
        ProgramHeader previous = null;
        for (ProgramHeader p : f.programHeaders()) {
            if (!p.isLoad()) {
                continue;
            }
            assertEquals(p.offset() % page, p.vaddr() % page, "PT_LOAD " + p.index() + " offset/vaddr not congruent");
            if (previous != null) {
                assertTrue(p.vaddr() >= previous.vaddr() + previous.memsz(), "PT_LOAD " + p.index() + " overlaps or is unsorted");
            }
            previous = p;
        }
        for (ProgramHeader p : f.programHeaders()) {
            if (p.type() == PT_INTERP || p.type() == PT_DYNAMIC || p.type() == PT_PHDR || p.type() == PT_NOTE) {
                assertTrue(f.fileOffsetOf(p.vaddr(), p.filesz()).isPresent(), p.typeName() + " not inside a PT_LOAD");
                assertEquals(f.fileOffsetOf(p.vaddr(), p.filesz()).getAsLong(), p.offset(), p.typeName() + " offset/vaddr mismatch");
            }
        }
        f.dynamicStringTable().ifPresent(t -> assertTrue(f.fileOffsetOf(t.address(), t.size()).isPresent()));
        for (SectionHeader s : f.sectionHeaders()) {
            if ((s.flags() & SHF_ALLOC) != 0 && s.hasFileImage() && s.size() > 0) {
                assertEquals(s.offset(), f.fileOffsetOf(s.addr(), s.size()).orElse(-1), "section " + s.name());
            }
        }
    }
}
