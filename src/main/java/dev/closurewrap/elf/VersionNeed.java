package dev.closurewrap.elf;

import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Objects;

/**
 * One Elf_Verneed entry of {@code .gnu.version_r} (found through DT_VERNEED): the library file name
 * the versions are required from ({@code vn_file}) and its Elf_Vernaux entries.
 * {@code fileOffset} is where the entry itself lies; {@code fileNameIndex} is the raw vn_file.
 */
public record VersionNeed(long fileOffset, int version, int count, long fileNameIndex, ByteString fileName,
        long auxOffset, long next, List<VersionNeedAux> aux) {

    public VersionNeed {
        Objects.requireNonNull(fileName, "fileName");
        aux = List.copyOf(aux);
        if (fileOffset < 0) {
            throw new IllegalArgumentException("offset " + fileOffset);
        }
    }

    /** sizeof(Elf_Verneed), the same in both classes. */
    public static final int SIZE = 16;
}
