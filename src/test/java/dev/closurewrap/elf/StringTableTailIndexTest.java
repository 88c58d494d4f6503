package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tail index must give exactly the offsets the plain scan gives (the edited files must stay
 * byte-identical), on small made-up tables and on the .dynstr of real host libraries.
 */
class StringTableTailIndexTest {

    @Test
    void tailOf_madeUpTables_matchesPlainScan() {
        Random random = new Random(42);
        byte[] alphabet = "ab.c".getBytes();
        for (int round = 0; round < 2000; round++) {
            byte[] table = new byte[1 + random.nextInt(60)];
            for (int i = 1; i < table.length; i++) {
                table[i] = random.nextInt(4) == 0 ? 0 : alphabet[random.nextInt(alphabet.length)];
            }
            BitSet covered = randomCover(table, random);
            TailIndex tails = new TailIndex(table);
            for (int n = 0; n < 20; n++) {
                byte[] needle = new byte[random.nextInt(9)];
                for (int i = 0; i < needle.length; i++) {
                    needle[i] = alphabet[random.nextInt(alphabet.length)];
                }
                assertSame(table, covered, tails, needle);
            }
        }
    }

    @Test
    void tailOf_hostLibraryDynstr_matchesPlainScan() throws IOException {
        Path dir = Path.of("/usr/lib/x86_64-linux-gnu");
        List<Path> libraries;
        try (Stream<Path> files = Files.list(dir)) {
            libraries = files.filter(p -> p.getFileName().toString().contains(".so")).sorted().toList();
        }
        Random random = new Random(7);
        int checked = 0;
        for (Path library : libraries) {
            if (checked >= 300) {
                break;
            }
            Optional<byte[]> found = dynstr(library);
            if (found.isEmpty() || found.get().length < 2) {
                continue;
            }
            byte[] table = found.get();
            checked++;
            BitSet covered = randomCover(table, random);
            TailIndex tails = new TailIndex(table);
            List<int[]> strings = strings(table);
            for (int n = 0; n < 30; n++) {
                int[] string = strings.get(random.nextInt(strings.size()));
                int start = string[0] + random.nextInt(string[1] - string[0]);
                byte[] needle = java.util.Arrays.copyOfRange(table, start, string[1]);
                if (random.nextInt(5) == 0) {
                    needle[0] ^= 1; // a near miss
                }
                assertSame(table, covered, tails, needle);
            }
            for (String common : List.of("libc.so.6", "so.6", "6", "GLIBC_2.2.5", "libm.so.6", "x")) {
                assertSame(table, covered, tails, common.getBytes());
            }
        }
        assertTrue(checked >= 20, "only " + checked + " host libraries with a .dynstr");
    }

    private static void assertSame(byte[] table, BitSet covered, TailIndex tails, byte[] needle) {
        Long expected = StringTablePlan.scanTail(table, covered, needle);
        Long actual = StringTablePlan.tailOf(table, covered, tails, ByteString.of(needle));
        assertEquals(expected, actual, () -> "needle " + ByteString.of(needle));
    }

    /** Covers a random subset of the strings, as the users kept by an edit would. */
    private static BitSet randomCover(byte[] table, Random random) {
        BitSet covered = new BitSet(table.length);
        covered.set(0);
        for (int[] string : strings(table)) {
            if (random.nextBoolean()) {
                int start = string[0] + random.nextInt(string[1] - string[0] + 1);
                covered.set(start, Math.min(string[1] + 1, table.length));
            }
        }
        return covered;
    }

    /** [start, NUL) of every non-empty string. */
    private static List<int[]> strings(byte[] table) {
        List<int[]> strings = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= table.length; i++) {
            if (i == table.length || table[i] == 0) {
                if (i > start) {
                    strings.add(new int[] {start, i});
                }
                start = i + 1;
            }
        }
        return strings;
    }

    private static Optional<byte[]> dynstr(Path library) throws IOException {
        if (!Files.isRegularFile(library)) {
            return Optional.empty();
        }
        Optional<ElfFile> elf;
        try {
            elf = ElfFile.openIfElf(library);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (elf.isEmpty() || elf.get().dynamicStringTable().isEmpty()) {
            return Optional.empty();
        }
        StringTable table = elf.get().dynamicStringTable().get();
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(table.size()));
        try (FileChannel channel = FileChannel.open(library)) {
            while (buffer.hasRemaining() && channel.read(buffer, table.fileOffset() + buffer.position()) > 0) {
            }
        }
        return Optional.of(buffer.array());
    }
}
