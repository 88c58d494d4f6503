package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.Objects;

/** A string-valued dynamic entry (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH) and its string. */
public record DynamicString(DynamicEntry entry, ByteString value) {
    public DynamicString {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(value, "value");
    }

    public long tag() {
        return entry.tag();
    }

    /** File offset of the string's first byte in the dynamic string table. */
    public long stringFileOffset(StringTable table) {
        return table.fileOffset() + entry.value();
    }
}
