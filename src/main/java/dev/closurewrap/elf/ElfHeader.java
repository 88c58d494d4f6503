package dev.closurewrap.elf;

import java.util.Objects;

/**
 * The file header exactly as stored (Elf32_Ehdr / Elf64_Ehdr). Counts are the raw fields: with
 * extended numbering (e_phnum = PN_XNUM, e_shnum = 0, e_shstrndx = SHN_XINDEX) the real values
 * are the lengths of {@link ElfFile#programHeaders()} and {@link ElfFile#sectionHeaders()}.
 * Fields that are unsigned 64-bit in the file are kept as raw {@code long} bits.
 */
public record ElfHeader(
        ElfClass elfClass,
        ElfData data,
        int identVersion,
        int osAbi,
        int abiVersion,
        int type,
        int machine,
        long version,
        long entry,
        long phoff,
        long shoff,
        int flags,
        int ehsize,
        int phentsize,
        int phnum,
        int shentsize,
        int shnum,
        int shstrndx) {

    public ElfHeader {
        Objects.requireNonNull(elfClass, "elfClass");
        Objects.requireNonNull(data, "data");
        requireU8(identVersion, "identVersion");
        requireU8(osAbi, "osAbi");
        requireU8(abiVersion, "abiVersion");
        requireU16(type, "type");
        requireU16(machine, "machine");
        requireU16(ehsize, "ehsize");
        requireU16(phentsize, "phentsize");
        requireU16(phnum, "phnum");
        requireU16(shentsize, "shentsize");
        requireU16(shnum, "shnum");
        requireU16(shstrndx, "shstrndx");
    }

    private static void requireU8(int value, String name) {
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException(name + " out of range: " + value);
        }
    }

    private static void requireU16(int value, String name) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(name + " out of range: " + value);
        }
    }

    /** readelf's first word for e_type: {@code EXEC}, {@code DYN}, {@code REL}, {@code CORE}, {@code NONE}. */
    public String typeName() {
        return switch (type) {
            case ElfConstants.ET_NONE -> "NONE";
            case ElfConstants.ET_REL -> "REL";
            case ElfConstants.ET_EXEC -> "EXEC";
            case ElfConstants.ET_DYN -> "DYN";
            case ElfConstants.ET_CORE -> "CORE";
            default -> "0x" + Integer.toHexString(type);
        };
    }

    /** readelf's name of e_machine. */
    public String machineName() {
        return ElfMachine.name(machine);
    }
}
