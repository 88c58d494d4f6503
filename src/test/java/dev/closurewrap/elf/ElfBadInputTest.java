package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.BadInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** One broken structure per test: each must give a BadInputException naming the file, offset and problem. */
class ElfBadInputTest {
    private static final int E_PHOFF = 32;
    private static final int E_SHOFF = 40;
    private static final int E_PHENTSIZE = 54;
    private static final int E_PHNUM = 56;
    private static final int E_SHENTSIZE = 58;
    private static final int E_SHNUM = 60;
    private static final int E_SHSTRNDX = 62;

    private static ElfBuilder library() {
        return ElfBuilder.elf64le().needed("libfoo.so.1", "libc.so.6").soname("libbar.so")
                .interpreter("/lib64/ld-linux-x86-64.so.2").runpath("/lib")
                .versionNeed("libc.so.6", "GLIBC_2.2.5", "GLIBC_2.34").versionNeed("libfoo.so.1", "FOO_1");
    }

    private static BadInputException bad(byte[] bytes, long offset, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> ElfFile.parse("lib/broken.so", bytes));
        assertEquals("ELF", e.format());
        assertEquals("lib/broken.so", e.file());
        assertTrue(e.problem().contains(problem), "problem was: " + e.problem());
        assertEquals(offset, e.offset(), "offset in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("lib/broken.so: bad ELF at 0x" + Long.toHexString(offset) + ": "),
                e.getMessage());
        return e;
    }

    private static BadInputException bad(ElfBuilder.Image image, long offset, String problem) {
        return bad(image.bytes(), offset, problem);
    }

    @Test
    void tooShortForTheIdentification() {
        bad(new byte[] {0x7f, 'E', 'L', 'F', 2, 1}, 0, "ELF identification (16 bytes) runs past end of file (size 0x6)");
    }

    @Test
    void truncatedHeader() {
        ElfBuilder.Image image = library().build();
        bad(image.truncated(40), 0, "ELF header (64 bytes) runs past end of file (size 0x28)");
    }

    @Test
    void unknownClassOrByteOrder() {
        byte[] bytes = library().build().bytes();
        bytes[4] = 3;
        bad(bytes, 4, "EI_CLASS 0x3 is neither ELFCLASS32 (1) nor ELFCLASS64 (2)");
        bytes = library().build().bytes();
        bytes[5] = 0;
        bad(bytes, 5, "EI_DATA 0x0");
    }

    @Test
    void programHeaderTablePastEndOfFile_messageNamesTheCountAndSize() {
        ElfBuilder.Image image = library().build().putU16(E_PHNUM, 1000);
        BadInputException e = bad(image, 0x40, "program header table (e_phnum=1000) runs past end of file (size 0x");
        assertEquals("lib/broken.so: bad ELF at 0x40: program header table (e_phnum=1000) runs past end of file (size 0x"
                + Integer.toHexString(image.bytes().length) + ")", e.getMessage());
    }

    @Test
    void programHeaderOffsetPastEndOfFile() {
        ElfBuilder.Image image = library().build().putWord(E_PHOFF, 0x7fffffff_ffffff00L);
        bad(image, 0x7fffffff_ffffff00L, "program header table (e_phnum=3) runs past end of file");
    }

    @Test
    void programHeaderOffsetWithTopBitSet() {
        ElfBuilder.Image image = library().build().putWord(E_PHOFF, 0xffffffff_ffffff00L);
        bad(image, 0xffffffff_ffffff00L, "program header table (e_phnum=3) runs past end of file");
    }

    @Test
    void wrongProgramHeaderEntrySize() {
        bad(library().build().putU16(E_PHENTSIZE, 32), 0, "e_phentsize 32 is not 56");
    }

    @Test
    void programHeaderTableOverlapsTheElfHeader() {
        bad(library().build().putWord(E_PHOFF, 0x10), 0x10, "program header table overlaps the ELF header");
    }

    @Test
    void segmentPastEndOfFile() {
        ElfBuilder.Image image = library().build();
        int load = image.at("phdrs");
        image.putWord(load + 32, image.bytes().length + 1L); // p_filesz of the PT_LOAD
        bad(image, load, "segment 0 (LOAD, p_offset 0x0, p_filesz 0x");
    }

    @Test
    void segmentOffsetPlusSizeOverflows() {
        ElfBuilder.Image image = library().build();
        int load = image.at("phdrs");
        image.putWord(load + 8, 0x10).putWord(load + 32, Long.MAX_VALUE);
        bad(image, load, "runs past end of file");
    }

    @Test
    void sectionHeaderTablePastEndOfFile() {
        ElfBuilder.Image image = library().build();
        image.putU16(E_SHNUM, 5000);
        bad(image, image.at("shdrs"), "section header table (5000 entries of 64 bytes) runs past end of file");
    }

    @Test
    void sectionHeaderOffsetPastEndOfFile() {
        ElfBuilder.Image image = library().build().putWord(E_SHOFF, 1L << 40);
        bad(image, 1L << 40, "section header 0 runs past end of file");
    }

    @Test
    void sectionHeaderCountWithoutTable() {
        bad(library().build().putWord(E_SHOFF, 0), 0, "e_shnum=");
    }

    @Test
    void wrongSectionHeaderEntrySize() {
        bad(library().build().putU16(E_SHENTSIZE, 40), 0, "e_shentsize 40 is not 64");
    }

    @Test
    void sectionNameTableIndexOutOfRange() {
        bad(library().build().putU16(E_SHSTRNDX, 99), 0, "section name table index 99 is not below the section count");
    }

    @Test
    void sectionNameIndexOutOfRange() {
        ElfBuilder.Image image = library().build();
        int dynamicHeader = image.at("shdr.dynamic");
        image.putU32(dynamicHeader, 0x10000);
        bad(image, dynamicHeader, "name string index 0x10000 is outside the section name table");
    }

    @Test
    void sectionPastEndOfFile() {
        ElfBuilder.Image image = library().build();
        int dynstrHeader = image.at("shdr.dynstr");
        image.putWord(dynstrHeader + 32, 1 << 20); // sh_size
        bad(image, dynstrHeader, "(sh_offset 0x");
    }

    @Test
    void sectionHeaderTableOverlapsProgramHeaders() {
        ElfBuilder.Image image = library().build();
        bad(image.putWord(E_SHOFF, image.at("phdrs") + 8), image.at("phdrs") + 8,
                "section header table overlaps the program header table");
    }

    @Test
    void phnumXnumWithoutSections() {
        bad(library().noSections().build().putU16(E_PHNUM, PN_XNUM), 0, "PN_XNUM");
    }

    @Test
    void interpreterWithoutNul() {
        ElfBuilder.Image image = library().build();
        int interp = image.at("interp");
        String path = "/lib64/ld-linux-x86-64.so.2";
        image.bytes()[interp + path.length()] = 'X';
        bad(image, interp, "PT_INTERP (p_filesz 0x1c) has no terminating NUL");
    }

    @Test
    void interpreterEmptyOrTooLarge() {
        ElfBuilder.Image image = library().build();
        int phdr = image.at("phdr.interp");
        bad(image.putWord(phdr + 32, 0), phdr, "PT_INTERP is empty");
        ElfBuilder.Image large = library().build();
        large.putWord(phdr + 32, 4097);
        bad(Arrays.copyOf(large.bytes(), large.at("interp") + 8192), phdr,
                "more than PATH_MAX (4096)");
    }

    @Test
    void twoInterpreters() {
        ElfBuilder.Image image = library().build();
        int interp = image.at("phdr.interp");
        int dynamic = image.at("phdr.dynamic");
        image.putU32(dynamic, PT_INTERP);
        bad(image, dynamic, "second PT_INTERP (segment 2; the first is segment " + (interp - image.at("phdrs")) / 56 + ")");
    }

    @Test
    void dynamicWithoutNullTerminator() {
        ElfBuilder.Image image = library().spareDynamicSlots(0).build();
        int dynamic = image.at("dynamic");
        int entries = (image.at("shstrtab") - dynamic) / 16;
        image.putWord(dynamic + (entries - 1) * 16, DT_DEBUG);
        bad(image, dynamic, "dynamic section (" + entries + " entries) has no DT_NULL terminator");
    }

    @Test
    void dynamicSegmentTooSmallForOneEntry() {
        ElfBuilder.Image image = library().build();
        int phdr = image.at("phdr.dynamic");
        bad(image.putWord(phdr + 32, 8), image.at("dynamic"), "cannot hold a single dynamic entry");
    }

    @Test
    void stringTableOutsideEveryLoadSegment() {
        ElfBuilder.Image image = library().build();
        int strtabEntry = entryOffset(image, DT_STRTAB);
        bad(image.putWord(strtabEntry + 8, 0x10000000L), strtabEntry,
                "DT_STRTAB 0x10000000 (DT_STRSZ 0x");
    }

    @Test
    void stringTableSizeRunningPastTheSegment() {
        ElfBuilder.Image image = library().build();
        int strszEntry = entryOffset(image, DT_STRSZ);
        bad(image.putWord(strszEntry + 8, 1L << 40), entryOffset(image, DT_STRTAB),
                "is not inside the file image of any PT_LOAD");
    }

    @Test
    void missingStringTableSize() {
        ElfBuilder.Image image = library().build();
        int strszEntry = entryOffset(image, DT_STRSZ);
        image.putWord(strszEntry, DT_DEBUG);
        bad(image, image.at("dynamic"), "DT_NEEDED needs the dynamic string table, but DT_STRSZ is missing");
    }

    @Test
    void neededIndexOutsideStringTable() {
        ElfBuilder.Image image = library().build();
        int needed = image.at("dynamic");
        bad(image.putWord(needed + 8, 0x5000), needed, "DT_NEEDED string index 0x5000 is outside the dynamic string table");
    }

    @Test
    void stringWithoutNulBeforeEndOfTable() {
        ElfBuilder.Image image = library().build();
        int strszEntry = entryOffset(image, DT_STRSZ);
        // Cut the table just after "libfoo.so.1" (index 1, 11 bytes), before its NUL.
        image.putWord(strszEntry + 8, 12);
        bad(image, image.at("dynstr") + 1, "DT_NEEDED string at index 0x1 has no terminating NUL");
    }

    @Test
    void verneedWithoutCount() {
        ElfBuilder.Image image = library().build();
        int num = entryOffset(image, DT_VERNEEDNUM);
        image.putWord(num, DT_DEBUG);
        bad(image, entryOffset(image, DT_VERNEED), "DT_VERNEED without DT_VERNEEDNUM");
    }

    @Test
    void verneedCountLargerThanTheFile() {
        ElfBuilder.Image image = library().build();
        int num = entryOffset(image, DT_VERNEEDNUM);
        bad(image.putWord(num + 8, 1L << 50), num, "DT_VERNEEDNUM 1125899906842624 entries of 16 bytes cannot fit");
        bad(library().build().putWord(num + 8, -1L), num, "DT_VERNEEDNUM 18446744073709551615 entries");
    }

    @Test
    void verneedChainEndsBeforeTheCount() {
        ElfBuilder.Image image = library().build();
        int num = entryOffset(image, DT_VERNEEDNUM);
        image.putWord(num + 8, 3);
        int second = image.at("verneed") + 16 + 32;
        bad(image, second, "version need 1: vn_next 0x0 but DT_VERNEEDNUM is 3");
    }

    @Test
    void verneedNextPointingBackwardsOrIntoItself() {
        ElfBuilder.Image image = library().build();
        int first = image.at("verneed");
        bad(image.putU32(first + 12, 8), first, "vn_next 0x8 but DT_VERNEEDNUM is 2");
    }

    @Test
    void verneedChainRunningOutOfTheSegment() {
        ElfBuilder.Image image = library().build();
        int first = image.at("verneed");
        bad(image.putU32(first + 12, 0x7fff0000), first, "version need 1 at address 0x");
    }

    @Test
    void vernauxOverlappingItsEntry() {
        ElfBuilder.Image image = library().build();
        int first = image.at("verneed");
        bad(image.putU32(first + 8, 4), first, "vn_aux 0x4 overlaps the entry itself");
    }

    @Test
    void vernauxChainEndingBeforeVnCnt() {
        ElfBuilder.Image image = library().build();
        int firstAux = image.at("verneed") + 16;
        bad(image.putU32(firstAux + 12, 0), firstAux, "version need 0 aux 0: vna_next 0x0 but vn_cnt is 2");
    }

    @Test
    void vernauxCountRunningPastTheSegment() {
        ElfBuilder.Image image = library().build();
        int first = image.at("verneed");
        bad(image.putU16(first + 2, 0xffff).putU32(first + 16 + 12 + 16, 0x10000000), first + 32,
                "version need 0 aux 2 at address 0x");
    }

    @Test
    void versionFileNameOutsideStringTable() {
        ElfBuilder.Image image = library().build();
        int first = image.at("verneed");
        bad(image.putU32(first + 4, 0x12345), first, "version need 0 vn_file string index 0x12345 is outside");
    }

    @Test
    void versionNameOutsideStringTable() {
        ElfBuilder.Image image = library().build();
        int firstAux = image.at("verneed") + 16;
        bad(image.putU32(firstAux + 8, 0x12345), firstAux, "version need 0 aux 0 vna_name string index 0x12345");
    }

    @Test
    void twoDynamicSegments() {
        ElfBuilder.Image image = library().build();
        int interp = image.at("phdr.interp");
        image.putU32(interp, PT_DYNAMIC);
        bad(image, image.at("phdr.dynamic"), "second PT_DYNAMIC");
    }

    @Test
    void dynamicSegmentOverTheProgramHeaders() {
        ElfBuilder.Image image = library().build();
        int phdr = image.at("phdr.dynamic");
        bad(image.putWord(phdr + 8, image.at("phdrs")), phdr, "DYNAMIC (p_offset 0x40, p_filesz 0x");
    }

    @Test
    void interpreterOverTheElfHeader() {
        ElfBuilder.Image image = library().build();
        int phdr = image.at("phdr.interp");
        bad(image.putWord(phdr + 8, 8), phdr, "INTERP (p_offset 0x8) overlaps the ELF header");
    }

    @Test
    void verneedChainWrappingAroundTheAddressSpace() {
        ElfBuilder.Image image = ElfBuilder.of(ElfClass.ELF32, ElfData.BIG_ENDIAN).needed("libc.so.6")
                .versionNeed("libc.so.6", "GLIBC_2.0").versionNeed("libm.so.6", "GLIBC_2.1").build();
        int first = image.at("verneed");
        bad(image.putU32(first + 12, 0xfffffff0L), first, "version need 0 vn_next 0xfffffff0 from address 0x");
    }

    /** The file offset of the first dynamic entry with {@code tag}. */
    private static int entryOffset(ElfBuilder.Image image, long tag) {
        var b = image.buffer();
        for (int at = image.at("dynamic"); ; at += 16) {
            if (b.getLong(at) == tag) {
                return at;
            }
            if (b.getLong(at) == DT_NULL) {
                throw new IllegalArgumentException("no tag " + tag);
            }
        }
    }
}
