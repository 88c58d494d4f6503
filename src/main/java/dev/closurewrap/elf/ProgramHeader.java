package dev.closurewrap.elf;

/**
 * One program header (segment) as stored, with the file offset of the header itself so that an
 * editor can rewrite it in place. 64-bit unsigned fields are raw {@code long} bits; the reader has
 * already checked that {@code offset + filesz} lies inside the file.
 */
public record ProgramHeader(
        int index,
        long headerOffset,
        long type,
        int flags,
        long offset,
        long vaddr,
        long paddr,
        long filesz,
        long memsz,
        long align) {

    public ProgramHeader {
        if (index < 0 || headerOffset < 0) {
            throw new IllegalArgumentException("index " + index + ", header offset " + headerOffset);
        }
    }

    public boolean isLoad() {
        return type == ElfConstants.PT_LOAD;
    }

    /** Whether the file image of this segment holds {@code size} bytes at virtual address {@code address}. */
    public boolean fileImageContains(long address, long size) {
        if (Long.compareUnsigned(address, vaddr) < 0) {
            return false;
        }
        long delta = address - vaddr;
        return Long.compareUnsigned(delta, filesz) <= 0 && Long.compareUnsigned(size, filesz - delta) <= 0;
    }

    /** readelf's name of p_type, e.g. {@code LOAD}, {@code GNU_STACK}. */
    public String typeName() {
        if (type == ElfConstants.PT_NULL) return "NULL";
        if (type == ElfConstants.PT_LOAD) return "LOAD";
        if (type == ElfConstants.PT_DYNAMIC) return "DYNAMIC";
        if (type == ElfConstants.PT_INTERP) return "INTERP";
        if (type == ElfConstants.PT_NOTE) return "NOTE";
        if (type == ElfConstants.PT_SHLIB) return "SHLIB";
        if (type == ElfConstants.PT_PHDR) return "PHDR";
        if (type == ElfConstants.PT_TLS) return "TLS";
        if (type == ElfConstants.PT_GNU_EH_FRAME) return "GNU_EH_FRAME";
        if (type == ElfConstants.PT_GNU_STACK) return "GNU_STACK";
        if (type == ElfConstants.PT_GNU_RELRO) return "GNU_RELRO";
        if (type == ElfConstants.PT_GNU_PROPERTY) return "GNU_PROPERTY";
        return "0x" + Long.toHexString(type);
    }
}
