package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.Objects;

/** One Elf_Vernaux entry: a version name (e.g. {@code GLIBC_2.34}) required from a library. */
public record VersionNeedAux(long fileOffset, long hash, int flags, int other, long nameIndex, ByteString name,
        long next) {

    public VersionNeedAux {
        Objects.requireNonNull(name, "name");
        if (fileOffset < 0) {
            throw new IllegalArgumentException("offset " + fileOffset);
        }
    }

    /** sizeof(Elf_Vernaux), the same in both classes. */
    public static final int SIZE = 16;
}
