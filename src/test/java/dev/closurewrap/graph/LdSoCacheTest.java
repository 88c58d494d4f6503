package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.closurewrap.io.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LdSoCacheTest {
    private static final int X86_64 = 0x303;
    private static final long HWCAPS = 1L << 62;

    /** A cache in ldconfig's new format: entries {flags, key, value, hwcap}, strings, a hwcaps extension. */
    private static byte[] cache(Object[][] entries, List<String> hwcapsNames) {
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        int stringsAt = 48 + entries.length * 24;
        int[][] offsets = new int[entries.length][2];
        for (int i = 0; i < entries.length; i++) {
            for (int k = 0; k < 2; k++) {
                offsets[i][k] = stringsAt + strings.size();
                strings.writeBytes(((String) entries[i][k + 1]).getBytes(StandardCharsets.US_ASCII));
                strings.write(0);
            }
        }
        int[] hwcapsOffsets = new int[hwcapsNames.size()];
        for (int i = 0; i < hwcapsNames.size(); i++) {
            hwcapsOffsets[i] = stringsAt + strings.size();
            strings.writeBytes(hwcapsNames.get(i).getBytes(StandardCharsets.US_ASCII));
            strings.write(0);
        }
        while (strings.size() % 4 != 0) {
            strings.write(0);
        }
        int arrayAt = stringsAt + strings.size();
        int extensionAt = arrayAt + hwcapsOffsets.length * 4;
        ByteBuffer b = ByteBuffer.allocate(extensionAt + 8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII));
        b.putInt(entries.length).putInt(strings.size()).put((byte) 2).put(new byte[3]).putInt(extensionAt);
        b.put(new byte[12]);
        for (int i = 0; i < entries.length; i++) {
            b.putInt((Integer) entries[i][0]).putInt(offsets[i][0]).putInt(offsets[i][1]).putInt(0);
            b.putLong((Long) entries[i][3]);
        }
        b.put(strings.toByteArray());
        for (int offset : hwcapsOffsets) {
            b.putInt(offset);
        }
        b.putInt(0xeaa42174).putInt(1).putInt(1).putInt(0).putInt(arrayAt).putInt(hwcapsOffsets.length * 4);
        return b.array();
    }

    @Test
    void lookup_plainEntry_found() throws IOException {
        LdSoCache cache = LdSoCache.parse("c", cache(new Object[][] {
                {X86_64, "libz.so.1", "/lib/libz.so.1", 0L}}, List.of()));
        assertEquals(Optional.of("/lib/libz.so.1"), cache.lookup("libz.so.1", X86_64, List.of()));
        assertEquals(Optional.empty(), cache.lookup("libm.so.6", X86_64, List.of()));
    }

    @Test
    void lookup_otherArchitecture_skipped() throws IOException {
        LdSoCache cache = LdSoCache.parse("c", cache(new Object[][] {
                {0x3, "libz.so.1", "/lib32/libz.so.1", 0L}, {X86_64, "libz.so.1", "/lib/libz.so.1", 0L}}, List.of()));
        assertEquals(Optional.of("/lib/libz.so.1"), cache.lookup("libz.so.1", X86_64, List.of()));
    }

    @Test
    void lookup_hwcapsEntry_preferredWhenItsSubdirectoryIsActive() throws IOException {
        byte[] bytes = cache(new Object[][] {
                {X86_64, "libz.so.1", "/lib/glibc-hwcaps/x86-64-v3/libz.so.1", HWCAPS | 0},
                {X86_64, "libz.so.1", "/lib/libz.so.1", 0L}}, List.of("x86-64-v3"));
        LdSoCache cache = LdSoCache.parse("c", bytes);
        assertEquals(Optional.of("/lib/glibc-hwcaps/x86-64-v3/libz.so.1"),
                cache.lookup("libz.so.1", X86_64, List.of("x86-64-v4", "x86-64-v3")));
        assertEquals(Optional.of("/lib/libz.so.1"), cache.lookup("libz.so.1", X86_64, List.of("x86-64-v2")));
    }

    @Test
    void parse_countRunningPastTheEnd_isBadInput() {
        byte[] bytes = cache(new Object[][] {{X86_64, "libz.so.1", "/lib/libz.so.1", 0L}}, List.of());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 1_000_000);
        BadInputException e = assertThrows(BadInputException.class, () -> LdSoCache.parse("ld.so.cache", bytes));
        assertEquals("ld.so.cache: bad ld.so.cache at 0x14: nlibs=1000000 runs past end of file (size 0x"
                + Integer.toHexString(bytes.length) + ")", e.getMessage());
    }

    @Test
    void parse_stringOffsetOutside_isBadInput() {
        byte[] bytes = cache(new Object[][] {{X86_64, "libz.so.1", "/lib/libz.so.1", 0L}}, List.of());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(48 + 4, 0x7fffffff);
        assertThrows(BadInputException.class, () -> LdSoCache.parse("c", bytes));
    }

    @Test
    void parse_noMagic_isBadInput() {
        assertThrows(BadInputException.class, () -> LdSoCache.parse("c", new byte[64]));
    }

    @Test
    void parse_everyTruncation_isBadInputOnly() {
        byte[] bytes = cache(new Object[][] {{X86_64, "libz.so.1", "/lib/libz.so.1", 0L}}, List.of("x86-64-v3"));
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            try {
                LdSoCache.parse("c", cut);
            } catch (BadInputException expected) {
                // fine: the only exception allowed
            } catch (IOException e) {
                throw new AssertionError("length " + length, e);
            }
        }
    }
}
