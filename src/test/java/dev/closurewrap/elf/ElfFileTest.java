package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ElfFileTest {
    static Stream<Arguments> layouts() {
        return ElfBuilder.layouts();
    }

    private static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    private static ElfBuilder library(ElfClass c, ElfData d) {
        return ElfBuilder.of(c, d).needed("libfoo.so.1", "libc.so.6").soname("libbar.so.2")
                .runpath("$ORIGIN/../lib:/nix/store/abc-foo/lib")
                .versionNeed("libc.so.6", "GLIBC_2.2.5", "GLIBC_2.34").versionNeed("libfoo.so.1", "FOO_1");
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void open_libraryInEveryClassAndByteOrder_readsDynamicInformation(ElfClass c, ElfData d) throws IOException {
        ElfFile f = library(c, d).build().parse();

        assertEquals(c, f.elfClass());
        assertEquals(d, f.data());
        assertEquals(EM_X86_64, f.machine());
        assertEquals(List.of(bs("libfoo.so.1"), bs("libc.so.6")), f.needed());
        assertEquals(bs("libbar.so.2"), f.soname().orElseThrow());
        assertEquals(bs("$ORIGIN/../lib:/nix/store/abc-foo/lib"), f.runpath().orElseThrow());
        assertTrue(f.rpath().isEmpty());
        assertTrue(f.interpreter().isEmpty());
        assertEquals(ElfKind.SHARED_LIBRARY, f.kind());
        assertEquals(LoaderFamily.GLIBC, f.loaderFamily());

        List<VersionNeed> needs = f.versionNeeds();
        assertEquals(2, needs.size());
        assertEquals(bs("libc.so.6"), needs.get(0).fileName());
        assertEquals(List.of(bs("GLIBC_2.2.5"), bs("GLIBC_2.34")),
                needs.get(0).aux().stream().map(VersionNeedAux::name).toList());
        assertEquals(ElfBuilder.elfHash("GLIBC_2.34"), needs.get(0).aux().get(1).hash());
        assertEquals(bs("libfoo.so.1"), needs.get(1).fileName());
        assertEquals(List.of(bs("FOO_1")), needs.get(1).aux().stream().map(VersionNeedAux::name).toList());
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void dynamicEntries_keepTheirFileOffsets(ElfClass c, ElfData d) throws IOException {
        ElfBuilder.Image image = library(c, d).spareDynamicSlots(3).build();
        ElfFile f = image.parse();
        DynamicSection dynamic = f.dynamic().orElseThrow();
        assertEquals(image.at("dynamic"), dynamic.fileOffset());
        ByteBuffer bytes = image.buffer();
        for (DynamicEntry e : dynamic.entries()) {
            long tagInFile = c == ElfClass.ELF64 ? bytes.getLong((int) e.fileOffset())
                    : bytes.getInt((int) e.fileOffset()) & 0xffffffffL;
            assertEquals(e.tag(), tagInFile, "entry " + e.index());
            assertEquals(image.at("dynamic") + (long) e.index() * c.dynamicEntrySize(), e.fileOffset());
        }
        assertEquals(DT_NULL, dynamic.terminator().tag());
        assertEquals(dynamic.entries().size() + 3, dynamic.capacity(), "spare DT_NULL slots are counted");
        StringTable strtab = f.dynamicStringTable().orElseThrow();
        assertEquals(image.at("dynstr"), strtab.fileOffset());
        DynamicString firstNeeded = f.dynamicStrings(DT_NEEDED).get(0);
        assertEquals('l', image.bytes()[(int) firstNeeded.stringFileOffset(strtab)]);
        VersionNeed need = f.versionNeeds().get(0);
        assertEquals(image.at("verneed"), need.fileOffset());
        assertEquals(image.at("verneed") + 16, need.aux().get(0).fileOffset());
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void sectionStrippedFile_readsEverythingThroughPtDynamic(ElfClass c, ElfData d) throws IOException {
        ElfFile f = library(c, d).noSections().build().parse();
        assertTrue(f.sectionHeaders().isEmpty());
        assertEquals(List.of(bs("libfoo.so.1"), bs("libc.so.6")), f.needed());
        assertEquals(2, f.versionNeeds().size());
        assertEquals(ElfKind.SHARED_LIBRARY, f.kind());
    }

    @Test
    void sectionHeaders_haveNamesAndOffsets() throws IOException {
        ElfBuilder.Image image = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build();
        ElfFile f = image.parse();
        SectionHeader dynamic = f.section(".dynamic").orElseThrow();
        assertEquals(SHT_DYNAMIC, dynamic.type());
        assertEquals(image.at("dynamic"), dynamic.offset());
        assertEquals(image.at("shdr.dynamic"), dynamic.headerOffset());
        assertEquals(SHT_GNU_VERNEED, f.section(".gnu.version_r").orElseThrow().type());
        assertEquals(ByteString.EMPTY, f.sectionHeaders().get(0).name());
    }

    @Test
    void pieWithInterpreter_isPieExecutableOfGlibc() throws IOException {
        ElfFile f = ElfBuilder.elf64le().interpreter("/lib64/ld-linux-x86-64.so.2").needed("libc.so.6")
                .flags1(DF_1_NOW | DF_1_PIE).flags(DF_BIND_NOW).build().parse();
        assertEquals(ElfKind.PIE_EXECUTABLE, f.kind());
        assertEquals(LoaderFamily.GLIBC, f.loaderFamily());
        assertEquals(bs("/lib64/ld-linux-x86-64.so.2"), f.interpreterPath().orElseThrow());
        assertEquals(DF_1_NOW | DF_1_PIE, f.flags1().orElseThrow());
        assertEquals(DF_BIND_NOW, f.flags().orElseThrow());
    }

    @Test
    void etDynWithInterpreterAndSonameButNoPieFlag_isSharedLibrary() throws IOException {
        // glibc's libc.so.6 is runnable, so it has PT_INTERP, but it is a library.
        ElfFile f = ElfBuilder.elf64le().interpreter("/lib64/ld-linux-x86-64.so.2").soname("libc.so.6")
                .needed("ld-linux-x86-64.so.2").build().parse();
        assertEquals(ElfKind.SHARED_LIBRARY, f.kind());
        assertEquals(LoaderFamily.GLIBC, f.loaderFamily());
    }

    @Test
    void etDynWithInterpreterWithoutSonameOrPieFlag_isPieFromAnOlderLinker() throws IOException {
        ElfFile f = ElfBuilder.elf64le().interpreter("/lib/ld-musl-x86_64.so.1").needed("libc.so").build().parse();
        assertEquals(ElfKind.PIE_EXECUTABLE, f.kind());
        assertEquals(LoaderFamily.MUSL, f.loaderFamily());
    }

    @Test
    void etExecWithInterpreter_isDynamicExecutable() throws IOException {
        ElfFile f = ElfBuilder.elf64le().type(ET_EXEC).interpreter("/lib64/ld-linux-x86-64.so.2")
                .needed("libc.so.6").build().parse();
        assertEquals(ElfKind.DYNAMIC_EXECUTABLE, f.kind());
        assertEquals(LoaderFamily.GLIBC, f.loaderFamily());
        assertTrue(f.fileOffsetOf(0x400000L + 0x40, 8).isPresent());
        assertEquals(0x40, f.fileOffsetOf(0x400000L + 0x40, 8).getAsLong());
        assertTrue(f.fileOffsetOf(0x40, 8).isEmpty(), "address below the PT_LOAD");
    }

    @Test
    void etExecWithoutInterpreter_isStaticExecutable() throws IOException {
        ElfFile f = ElfBuilder.elf64le().type(ET_EXEC).noDynamic().build().parse();
        assertEquals(ElfKind.STATIC_EXECUTABLE, f.kind());
        assertEquals(LoaderFamily.NONE, f.loaderFamily());
        assertTrue(f.dynamic().isEmpty());
    }

    @Test
    void etDynWithoutInterpreterWithPieFlag_isStaticPie() throws IOException {
        ElfFile f = ElfBuilder.elf64le().flags1(DF_1_PIE).build().parse();
        assertEquals(ElfKind.STATIC_PIE, f.kind());
        assertEquals(LoaderFamily.NONE, f.loaderFamily());
    }

    @Test
    void glibcLoader_isRecognisedBySoname() throws IOException {
        for (String soname : List.of("ld-linux-x86-64.so.2", "ld-linux.so.2", "ld-linux-aarch64.so.1", "ld64.so.1")) {
            ElfFile f = ElfBuilder.elf64le().soname(soname).build().parse("lib/whatever.so");
            assertEquals(ElfKind.LOADER, f.kind(), soname);
            assertEquals(LoaderFamily.GLIBC, f.loaderFamily(), soname);
        }
    }

    @Test
    void muslLibc_isTheLoaderByNameAndShape() throws IOException {
        ElfBuilder.Image image = ElfBuilder.elf64le().flags1(DF_1_NOW).build();
        for (String name : List.of("/nix/store/x-musl/lib/libc.so", "/lib/ld-musl-x86_64.so.1")) {
            ElfFile f = image.parse(name);
            assertEquals(ElfKind.LOADER, f.kind(), name);
            assertEquals(LoaderFamily.MUSL, f.loaderFamily(), name);
        }
        ElfFile other = image.parse("/lib/libplain.so");
        assertEquals(ElfKind.SHARED_LIBRARY, other.kind());
        assertEquals(LoaderFamily.UNKNOWN, other.loaderFamily());
    }

    @Test
    void muslLibrary_isMuslByItsNeededLibc() throws IOException {
        ElfFile f = ElfBuilder.elf64le().needed("libz.so.1", "libc.so").soname("libfoo.so").build().parse();
        assertEquals(LoaderFamily.MUSL, f.loaderFamily());
    }

    @Test
    void libraryWithoutLibcInNeeded_isGlibcByItsVersionNeeds() throws IOException {
        ElfFile f = ElfBuilder.elf64le().needed("libstdc++.so.6").soname("libfoo.so")
                .versionNeed("libstdc++.so.6", "GLIBCXX_3.4", "GLIBC_2.2.5").build().parse();
        assertEquals(LoaderFamily.GLIBC, f.loaderFamily());
    }

    @Test
    void separateDebugFile_isRecognisedAndItsDynamicNotRead() throws IOException {
        ElfFile f = ElfBuilder.elf64le().interpreter("/lib64/ld-linux-x86-64.so.2").needed("libc.so.6")
                .debugFile().build().parse();
        assertEquals(ElfKind.DEBUG_FILE, f.kind());
        assertEquals(LoaderFamily.NONE, f.loaderFamily());
        assertTrue(f.dynamic().isEmpty());
        assertTrue(f.interpreter().isEmpty());
    }

    @Test
    void otherTypes_areClassifiedByEType() throws IOException {
        assertEquals(ElfKind.RELOCATABLE, ElfBuilder.elf64le().type(ET_REL).noDynamic().build().parse().kind());
        assertEquals(ElfKind.CORE, ElfBuilder.elf64le().type(ET_CORE).noDynamic().build().parse().kind());
        assertEquals(ElfKind.OTHER, ElfBuilder.elf64le().type(ET_NONE).noDynamic().build().parse().kind());
    }

    @Test
    void severalRunpaths_theLastIsTheOneTheLoaderUses() throws IOException {
        ElfFile f = ElfBuilder.elf64le().needed("libc.so.6").runpath("/first").dynamicEntry(DT_RUNPATH, 1)
                .rpath("/old").build().parse();
        // the extra entry points at index 1: "libc.so.6"
        assertEquals(2, f.dynamicStrings(DT_RUNPATH).size());
        assertEquals(bs("libc.so.6"), f.runpath().orElseThrow());
        assertEquals(bs("/old"), f.rpath().orElseThrow());
    }

    @Test
    void pageSize_followsTheMachine() throws IOException {
        assertEquals(4096, ElfBuilder.elf64le().build().parse().pageSize());
        assertEquals(65536, ElfBuilder.elf64le().machine(EM_AARCH64).build().parse().pageSize());
        assertEquals(65536, ElfMachine.pageSize(EM_PPC64));
        assertEquals(65536, ElfMachine.pageSize(EM_MIPS));
        assertEquals(65536, ElfMachine.pageSize(EM_LOONGARCH));
        assertEquals(8192, ElfMachine.pageSize(EM_SPARCV9));
        assertEquals(4096, ElfMachine.pageSize(EM_S390));
        assertEquals(4096, ElfMachine.pageSize(EM_386));
    }

    @Test
    void extendedNumbering_realCountsComeFromSectionZero() throws IOException {
        ElfBuilder.Image image = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build();
        ElfFile plain = image.parse();
        int sections = plain.sectionHeaders().size();
        int segments = plain.programHeaders().size();
        int shstrndx = plain.header().shstrndx();
        int shdr0 = image.at("shdrs");
        image.putU16(56, PN_XNUM).putU16(60, 0).putU16(62, SHN_XINDEX);
        image.putU32(shdr0 + 44, segments); // sh_info
        image.buffer().putLong(shdr0 + 32, sections); // sh_size
        image.putU32(shdr0 + 40, shstrndx); // sh_link
        ElfFile f = image.parse();
        assertEquals(segments, f.programHeaders().size());
        assertEquals(sections, f.sectionHeaders().size());
        assertTrue(f.section(".dynamic").isPresent());
        assertEquals(plain.needed(), f.needed());
    }

    @Test
    void notElf_isToldApartAndRefusedByOpen(@TempDir Path dir) throws IOException {
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertFalse(ElfFile.isElf(script));
        assertFalse(ElfFile.isElf(empty));
        assertTrue(ElfFile.openIfElf(script).isEmpty());
        var e = assertThrows(dev.closurewrap.io.BadInputException.class, () -> ElfFile.open(script));
        assertTrue(e.getMessage().contains("not an ELF file"), e.getMessage());
    }

    @Test
    void openPath_readsTheSameAsBytes(@TempDir Path dir) throws IOException {
        ElfBuilder.Image image = library(ElfClass.ELF32, ElfData.BIG_ENDIAN).build();
        Path file = dir.resolve("libbar.so.2");
        Files.write(file, image.bytes());
        assertTrue(ElfFile.isElf(file));
        ElfFile f = ElfFile.open(file);
        assertEquals(file.toString(), f.name());
        assertEquals(image.parse().needed(), f.needed());
        assertEquals(image.bytes().length, f.fileSize());
    }

    /**
     * Every structure beyond 4 GiB: the image is written at 4 GiB + 64 KiB into a sparse file and the
     * header and offsets are moved there, so only positional 64-bit reads can find them.
     */
    @Test
    void fileLargerThan4GiB_structuresBeyond4GiBAreRead(@TempDir Path dir) throws IOException {
        ElfBuilder.Image image = library(ElfClass.ELF64, ElfData.LITTLE_ENDIAN).build();
        ElfFile small = image.parse();
        long shift = (1L << 32) + 0x10000;
        byte[] moved = image.bytes().clone();
        ByteBuffer b = ByteBuffer.wrap(moved).order(image.data().byteOrder());
        b.putLong(32, b.getLong(32) + shift); // e_phoff
        b.putLong(40, b.getLong(40) + shift); // e_shoff
        for (ProgramHeader p : small.programHeaders()) {
            b.putLong((int) p.headerOffset() + 8, p.offset() + shift);
        }
        for (SectionHeader s : small.sectionHeaders()) {
            if (s.hasFileImage()) {
                b.putLong((int) s.headerOffset() + 24, s.offset() + shift);
            }
        }
        Path file = dir.resolve("huge.so");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(shift + moved.length); // sparse: costs no disk
            raf.write(moved, 0, 64);
            raf.seek(shift);
            raf.write(moved);
        }
        ElfFile f = ElfFile.open(file);
        assertEquals(small.needed(), f.needed());
        assertEquals(small.runpath(), f.runpath());
        assertEquals(small.versionNeeds().size(), f.versionNeeds().size());
        assertEquals(shift + image.at("dynamic"), f.dynamic().orElseThrow().fileOffset());
        assertEquals(shift + image.at("verneed"), f.versionNeeds().get(0).fileOffset());
        assertTrue(f.fileSize() > 1L << 32);
    }
}
