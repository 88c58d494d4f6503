package dev.closurewrap.elf;

/** Where a string table lies: its address (0 for a non-allocated one), file offset and size. */
public record StringTable(long address, long fileOffset, long size) {
    public StringTable {
        if (fileOffset < 0 || size < 0) {
            throw new IllegalArgumentException("offset " + fileOffset + ", size " + size);
        }
    }
}
