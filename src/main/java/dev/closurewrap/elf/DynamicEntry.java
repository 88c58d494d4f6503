package dev.closurewrap.elf;

/**
 * One Elf_Dyn entry: {@code tag} and {@code value} as stored (32-bit fields zero-extended), and
 * the file offset of the entry itself, so that an editor can rewrite it in place.
 */
public record DynamicEntry(int index, long fileOffset, long tag, long value) {
    public DynamicEntry {
        if (index < 0 || fileOffset < 0) {
            throw new IllegalArgumentException("index " + index + ", offset " + fileOffset);
        }
    }
}
