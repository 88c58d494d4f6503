package dev.closurewrap.elf;

/** EI_CLASS: the word size, which fixes every structure's layout. */
public enum ElfClass {
    ELF32(ElfConstants.ELFCLASS32, 52, 32, 40, 8, 4),
    ELF64(ElfConstants.ELFCLASS64, 64, 56, 64, 16, 8);

    private final int code;
    private final int headerSize;
    private final int programHeaderSize;
    private final int sectionHeaderSize;
    private final int dynamicEntrySize;
    private final int wordSize;

    ElfClass(int code, int headerSize, int programHeaderSize, int sectionHeaderSize, int dynamicEntrySize,
            int wordSize) {
        this.code = code;
        this.headerSize = headerSize;
        this.programHeaderSize = programHeaderSize;
        this.sectionHeaderSize = sectionHeaderSize;
        this.dynamicEntrySize = dynamicEntrySize;
        this.wordSize = wordSize;
    }

    /** The EI_CLASS byte. */
    public int code() {
        return code;
    }

    /** sizeof(Elf_Ehdr). */
    public int headerSize() {
        return headerSize;
    }

    /** sizeof(Elf_Phdr), the only e_phentsize accepted. */
    public int programHeaderSize() {
        return programHeaderSize;
    }

    /** sizeof(Elf_Shdr), the only e_shentsize accepted. */
    public int sectionHeaderSize() {
        return sectionHeaderSize;
    }

    /** sizeof(Elf_Dyn). */
    public int dynamicEntrySize() {
        return dynamicEntrySize;
    }

    /** Size of an address, an offset and a dynamic tag or value: 4 or 8. */
    public int wordSize() {
        return wordSize;
    }

    static ElfClass ofCode(int code) {
        return switch (code) {
            case ElfConstants.ELFCLASS32 -> ELF32;
            case ElfConstants.ELFCLASS64 -> ELF64;
            default -> null;
        };
    }
}
