package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of good files: one field of a parsed structure set to a hostile value, or random
 * bytes overwritten. Every mutant is either edited into a file on which {@code readelf -a} reports
 * no error the mutant itself did not already have, or refused with {@link BadInputException} or
 * {@link UnsupportedInputException}; the input file is never changed, and nothing else is thrown.
 */
class ElfEditorFuzzTest {
    private static final long SEED = 0x5eed_e1f0L;
    private static final int FIELD_MUTANTS = 150;
    private static final int BYTE_MUTANTS = 100;

    @TempDir
    static Path shared;
    static Native.Built built;

    @TempDir
    Path dir;

    private int edited;
    private int refused;

    @BeforeAll
    static void build() throws IOException {
        built = Native.buildProgramSet(shared, Native.Target.HOST);
    }

    static List<ElfEdit> edits() {
        return List.of(
                new ElfEdit.SetSearchPath(ByteString.utf8("/nix/store/" + "f".repeat(32) + "-fuzz/lib"), SearchPathTag.RUNPATH),
                new ElfEdit.ReplaceNeeded(ByteString.utf8("libgreet.so.1"), ByteString.utf8("/opt/fuzz/lib/libgreet.so.1")),
                new ElfEdit.RemoveNeeded(ByteString.utf8("libunused.so.1")),
                new ElfEdit.AddNeeded(ByteString.utf8("libfuzz.so")));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void singleFieldMutants_areEditedValidlyOrRefused() throws Exception {
        for (Path seed : List.of(built.main(), built.lib().resolve("libgreet.so.1"))) {
            byte[] good = Files.readAllBytes(seed);
            List<long[]> fields = fields(ElfFile.open(seed));
            Random random = new Random(SEED ^ seed.getFileName().hashCode());
            for (int i = 0; i < FIELD_MUTANTS; i++) {
                long[] field = fields.get(random.nextInt(fields.size()));
                byte[] mutant = good.clone();
                put(mutant, (int) field[0], (int) field[1], hostile(random, good.length), order(good));
                check(mutant, "field@0x" + Long.toHexString(field[0]) + " #" + i);
            }
        }
        assertTrue(edited > 20 && refused > 20, "edited " + edited + ", refused " + refused);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void randomByteMutants_areEditedValidlyOrRefused() throws Exception {
        byte[] good = Files.readAllBytes(built.main());
        Random random = new Random(SEED);
        int headers = Math.min(good.length, 4096);
        for (int i = 0; i < BYTE_MUTANTS; i++) {
            byte[] mutant = good.clone();
            int count = 1 + random.nextInt(8);
            for (int j = 0; j < count; j++) {
                // Mostly the first page (headers, .interp, .dynsym, .dynstr), sometimes anywhere.
                int at = random.nextInt(4) == 0 ? random.nextInt(good.length) : random.nextInt(headers);
                mutant[at] = (byte) random.nextInt(256);
            }
            check(mutant, "bytes #" + i);
        }
        assertEquals(BYTE_MUTANTS, edited + refused);
        assertTrue(edited > BYTE_MUTANTS / 4, "only " + edited + " of " + BYTE_MUTANTS + " mutants were edited");
    }

    @Test
    void fixtureMutants_inEveryClassAndByteOrder_neverThrowAnythingElse() throws Exception {
        Random random = new Random(SEED);
        for (ElfClass c : ElfClass.values()) {
            for (ElfData d : ElfData.values()) {
                byte[] good = ElfEditorTest.library(c, d).build().bytes();
                for (int i = 0; i < 300; i++) {
                    byte[] mutant = good.clone();
                    mutant[random.nextInt(mutant.length)] = (byte) random.nextInt(256);
                    byte[] before = mutant.clone();
                    try {
                        byte[] out = ElfEditor.edit("mutant", mutant, edits());
                        ElfFile.parse("edited", out); // the result must read back
                    } catch (BadInputException | UnsupportedInputException expected) {
                        // refused
                    }
                    assertArrayEquals(before, mutant);
                }
            }
        }
    }

    private void check(byte[] mutant, String what) throws Exception {
        Path input = dir.resolve("mutant");
        Path output = dir.resolve("edited");
        Files.write(input, mutant);
        Files.deleteIfExists(output);
        byte[] hash = sha256(mutant);
        try {
            ElfEditor.edit(input, output, edits());
            edited++;
        } catch (BadInputException | UnsupportedInputException e) {
            refused++;
            assertFalse(Files.exists(output), what + ": output written although refused");
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(what + ": unexpected " + e, e);
        }
        assertArrayEquals(hash, sha256(Files.readAllBytes(input)), what + ": the input changed");
        if (Files.exists(output)) {
            Set<String> before = readelfErrors(input);
            Set<String> after = readelfErrors(output);
            after.removeAll(before);
            assertTrue(after.isEmpty(), what + ": new readelf errors " + after);
        }
    }

    /** readelf's error messages with numbers blanked, since offsets move with the edit. */
    private Set<String> readelfErrors(Path file) throws IOException {
        Native.Result r = Native.run(dir, "readelf", "-a", "-W", file.toString());
        Set<String> errors = new TreeSet<>();
        for (String line : (r.out() + "\n" + r.err()).split("\n")) {
            if (line.contains("Error:")) {
                errors.add(line.replace(file.toString(), "FILE").replaceAll("0x[0-9a-f]+|[0-9]+", "N"));
            }
        }
        return errors;
    }

    /** (offset, size) of every field of the headers and dynamic entries: where single-field mutants strike. */
    private static List<long[]> fields(ElfFile f) {
        List<long[]> fields = new ArrayList<>();
        boolean is64 = f.elfClass() == ElfClass.ELF64;
        int w = is64 ? 8 : 4;
        // e_type .. e_shstrndx
        int[][] header = is64
                ? new int[][] {{16, 2}, {18, 2}, {24, 8}, {32, 8}, {40, 8}, {52, 2}, {54, 2}, {56, 2}, {58, 2}, {60, 2}, {62, 2}}
                : new int[][] {{16, 2}, {18, 2}, {24, 4}, {28, 4}, {32, 4}, {40, 2}, {42, 2}, {44, 2}, {46, 2}, {48, 2}, {50, 2}};
        for (int[] h : header) {
            fields.add(new long[] {h[0], h[1]});
        }
        for (ProgramHeader p : f.programHeaders()) {
            int[] at = is64 ? new int[] {0, 8, 16, 32, 40, 48} : new int[] {0, 4, 8, 16, 20, 28};
            for (int a : at) {
                fields.add(new long[] {p.headerOffset() + a, a == 0 ? 4 : w});
            }
        }
        for (SectionHeader s : f.sectionHeaders()) {
            int[] at = is64 ? new int[] {4, 16, 24, 32, 40} : new int[] {4, 12, 16, 20, 24};
            for (int a : at) {
                fields.add(new long[] {s.headerOffset() + a, a == 4 || a == 40 || (!is64 && a == 24) ? 4 : w});
            }
        }
        f.dynamic().ifPresent(d -> d.entries().forEach(e -> {
            fields.add(new long[] {e.fileOffset(), w});
            fields.add(new long[] {e.fileOffset() + w, w});
        }));
        for (VersionNeed v : f.versionNeeds()) {
            for (int a : new int[] {2, 4, 8, 12}) {
                fields.add(new long[] {v.fileOffset() + a, a == 2 ? 2 : 4});
            }
        }
        return fields;
    }

    private static long hostile(Random random, long size) {
        long[] values = {0, 1, size, size - 1, size + 1, 0xffff, 0x7fffffffL, 0xffffffffL, -1L, Long.MIN_VALUE,
                random.nextLong(), random.nextInt(4096)};
        return values[random.nextInt(values.length)];
    }

    private static ByteOrder order(byte[] elf) {
        return elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    private static void put(byte[] bytes, int offset, int size, long value, ByteOrder order) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        switch (size) {
            case 2 -> b.putShort(offset, (short) value);
            case 4 -> b.putInt(offset, (int) value);
            default -> b.putLong(offset, value);
        }
    }

    private static byte[] sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
