package dev.closurewrap.elf;

import java.nio.ByteOrder;

/** EI_DATA: the byte order of every multi-byte field in the file. */
public enum ElfData {
    LITTLE_ENDIAN(ElfConstants.ELFDATA2LSB, ByteOrder.LITTLE_ENDIAN, "2's complement, little endian"),
    BIG_ENDIAN(ElfConstants.ELFDATA2MSB, ByteOrder.BIG_ENDIAN, "2's complement, big endian");

    private final int code;
    private final ByteOrder order;
    private final String description;

    ElfData(int code, ByteOrder order, String description) {
        this.code = code;
        this.order = order;
        this.description = description;
    }

    /** The EI_DATA byte. */
    public int code() {
        return code;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    /** readelf's wording, e.g. {@code 2's complement, little endian}. */
    public String description() {
        return description;
    }

    static ElfData ofCode(int code) {
        return switch (code) {
            case ElfConstants.ELFDATA2LSB -> LITTLE_ENDIAN;
            case ElfConstants.ELFDATA2MSB -> BIG_ENDIAN;
            default -> null;
        };
    }
}
