package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.Objects;

/**
 * One section header as stored, with the offset of the header itself and its name (empty when the
 * file has no section name table). Sections are optional: the loader never reads them.
 */
public record SectionHeader(
        int index,
        long headerOffset,
        long nameIndex,
        ByteString name,
        long type,
        long flags,
        long addr,
        long offset,
        long size,
        long link,
        long info,
        long addralign,
        long entsize) {

    public SectionHeader {
        Objects.requireNonNull(name, "name");
        if (index < 0 || headerOffset < 0) {
            throw new IllegalArgumentException("index " + index + ", header offset " + headerOffset);
        }
    }

    /** SHT_NOBITS (.bss, and everything allocated in a separate debug file): no bytes in the file. */
    public boolean isNobits() {
        return type == ElfConstants.SHT_NOBITS;
    }

    /** Whether the section has bytes in the file (not SHT_NULL, not SHT_NOBITS). */
    public boolean hasFileImage() {
        return type != ElfConstants.SHT_NULL && type != ElfConstants.SHT_NOBITS;
    }

    public boolean isNamed(String sectionName) {
        return name.equals(ByteString.utf8(sectionName));
    }
}
