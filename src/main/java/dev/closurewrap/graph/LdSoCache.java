package dev.closurewrap.graph;

import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * glibc's {@code ld.so.cache} in the format ldconfig has written since glibc 2.32
 * ({@code glibc-ld.so.cache1.1}), optionally behind the old {@code ld.so-1.7.0} table.
 *
 * <pre>
 * header (48 bytes): magic "glibc-ld.so.cache" version "1.1", u32 nlibs, u32 len_strings,
 *                    u8 flags (endianness), 3 pad, u32 extension_offset, 3 x u32 unused
 * entries (24 bytes each): i32 flags, u32 key, u32 value, u32 osversion, u64 hwcap
 * strings: NUL-terminated; key and value are offsets from the start of the new header
 * extension at extension_offset: u32 magic 0xeaa42174, u32 count, count x {u32 tag, flags, offset, size};
 *                    tag 1 is the glibc-hwcaps names, an array of u32 string offsets
 * </pre>
 *
 * An entry's hwcap with bit 62 set names a glibc-hwcaps subdirectory (index in the low 32 bits).
 */
public final class LdSoCache {
    private static final String FORMAT = "ld.so.cache";
    private static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_HEADER_SIZE = 48;
    private static final int NEW_ENTRY_SIZE = 24;
    private static final int OLD_ENTRY_SIZE = 12;
    private static final int EXTENSION_MAGIC = 0xeaa42174;
    private static final int EXTENSION_TAG_HWCAPS = 1;
    private static final long HWCAP_EXTENSION = 1L << 62;
    /** ldconfig writes far less; a bigger claim is a corrupt file, not a reason to allocate. */
    private static final int MAX_SIZE = 64 << 20;

    /** One cache entry: the soname, the file it maps to, ldconfig's flags and hwcaps subdirectory. */
    public record Entry(String name, String path, int flags, Optional<String> hwcapsSubdir, long hwcap) {}

    private final Map<String, List<Entry>> byName;
    private final int entryCount;

    private LdSoCache(Map<String, List<Entry>> byName, int entryCount) {
        this.byName = byName;
        this.entryCount = entryCount;
    }

    public static LdSoCache read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_SIZE) {
            throw new BadInputException(FORMAT, file.toString(), 0, "file of " + size + " bytes is larger than "
                    + MAX_SIZE + " bytes");
        }
        return parse(file.toString(), Files.readAllBytes(file));
    }

    public static LdSoCache parse(String name, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int base = 0;
        if (startsWith(bytes, 0, OLD_MAGIC)) {
            // The old table comes first; the new one follows it, 8-byte aligned.
            require(bytes.length >= OLD_MAGIC.length + 4 + 4, name, 0, "old header runs past end of file");
            long oldCount = Integer.toUnsignedLong(buffer.getInt(OLD_MAGIC.length + 1));
            long end = 12 + 4 + oldCount * OLD_ENTRY_SIZE;
            end = (end + 7) & ~7L;
            require(end <= bytes.length, name, 0, "old table of " + oldCount + " entries runs past end of file (size 0x"
                    + Integer.toHexString(bytes.length) + ")");
            base = (int) end;
        }
        require(startsWith(bytes, base, NEW_MAGIC), name, base, "no \"glibc-ld.so.cache1.1\" header");
        require(base + NEW_HEADER_SIZE <= bytes.length, name, base, "header runs past end of file");
        long count = Integer.toUnsignedLong(buffer.getInt(base + 20));
        long entriesEnd = base + NEW_HEADER_SIZE + count * NEW_ENTRY_SIZE;
        require(entriesEnd <= bytes.length, name, base + 20, "nlibs=" + count + " runs past end of file (size 0x"
                + Integer.toHexString(bytes.length) + ")");
        int extensionOffset = buffer.getInt(base + 32);

        List<String> hwcapsNames = extensionOffset == 0 ? List.of()
                : hwcapsNames(name, bytes, buffer, base, extensionOffset);

        Map<String, List<Entry>> byName = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int at = base + NEW_HEADER_SIZE + i * NEW_ENTRY_SIZE;
            int flags = buffer.getInt(at);
            String key = string(name, bytes, base, buffer.getInt(at + 4), at + 4);
            String value = string(name, bytes, base, buffer.getInt(at + 8), at + 8);
            long hwcap = buffer.getLong(at + 16);
            Optional<String> subdir = Optional.empty();
            if ((hwcap & HWCAP_EXTENSION) != 0) {
                long index = hwcap & 0xffffffffL;
                require(index < hwcapsNames.size(), name, at + 16, "glibc-hwcaps index " + index + " of "
                        + hwcapsNames.size());
                subdir = Optional.of(hwcapsNames.get((int) index));
            }
            byName.computeIfAbsent(key, k -> new ArrayList<>()).add(new Entry(key, value, flags, subdir, hwcap));
        }
        return new LdSoCache(byName, (int) count);
    }

    /** Every entry for {@code soname}, in file order (ldconfig puts the preferred ones first). */
    public List<Entry> entries(String soname) {
        return byName.getOrDefault(soname, List.of());
    }

    public int size() {
        return entryCount;
    }

    /**
     * The path glibc's {@code _dl_load_cache_lookup} returns for {@code soname}: among entries with
     * the flags the loader accepts, the glibc-hwcaps entry of the most preferred active subdirectory,
     * else the first plain entry. Legacy hwcap entries (bits other than the extension) are skipped,
     * as the platform and hwcap bits they test are not modelled.
     */
    public Optional<String> lookup(String soname, int acceptedFlags, List<String> activeHwcapsSubdirs) {
        Entry best = null;
        int bestPriority = Integer.MAX_VALUE;
        for (Entry entry : entries(soname)) {
            if (entry.flags() != acceptedFlags) {
                continue;
            }
            if (entry.hwcapsSubdir().isPresent()) {
                int priority = activeHwcapsSubdirs.indexOf(entry.hwcapsSubdir().get());
                if (priority >= 0 && priority < bestPriority) {
                    best = entry;
                    bestPriority = priority;
                }
            } else if (entry.hwcap() == 0) {
                return Optional.of(best != null ? best.path() : entry.path());
            }
        }
        return Optional.ofNullable(best).map(Entry::path);
    }

    private static List<String> hwcapsNames(String name, byte[] bytes, ByteBuffer buffer, int base, int offset)
            throws IOException {
        long at = base + Integer.toUnsignedLong(offset);
        require(at + 8 <= bytes.length, name, at, "extension header runs past end of file");
        if (buffer.getInt((int) at) != EXTENSION_MAGIC) {
            return List.of(); // older ldconfig wrote no extension; its offset field was unused
        }
        long sections = Integer.toUnsignedLong(buffer.getInt((int) at + 4));
        require(at + 8 + sections * 16 <= bytes.length, name, at + 4, "extension count " + sections
                + " runs past end of file");
        List<String> names = new ArrayList<>();
        for (int s = 0; s < sections; s++) {
            int section = (int) at + 8 + s * 16;
            if (buffer.getInt(section) != EXTENSION_TAG_HWCAPS) {
                continue;
            }
            long start = base + Integer.toUnsignedLong(buffer.getInt(section + 8));
            long size = Integer.toUnsignedLong(buffer.getInt(section + 12));
            require(size % 4 == 0 && start + size <= bytes.length, name, section, "glibc-hwcaps section at 0x"
                    + Long.toHexString(start) + " of " + size + " bytes runs past end of file or is not whole u32s");
            for (long p = start; p < start + size; p += 4) {
                names.add(string(name, bytes, base, buffer.getInt((int) p), p));
            }
        }
        return names;
    }

    private static String string(String name, byte[] bytes, int base, int offset, long fieldAt)
            throws IOException {
        long start = base + Integer.toUnsignedLong(offset);
        require(start < bytes.length, name, fieldAt, "string offset 0x" + Long.toHexString(start)
                + " past end of file (size 0x" + Integer.toHexString(bytes.length) + ")");
        int end = (int) start;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        require(end < bytes.length, name, start, "string runs past end of file without NUL");
        return new String(bytes, (int) start, end - (int) start, StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        if (at + prefix.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static void require(boolean ok, String name, long offset, String problem) throws IOException {
        if (!ok) {
            throw new BadInputException(FORMAT, name, offset, problem);
        }
    }
}
