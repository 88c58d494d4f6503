package dev.closurewrap.elf;

import dev.closurewrap.io.BadInputException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Breaks a good ELF image in thousands of ways and checks that the reader answers each with a
 * parse or a {@link BadInputException}, never anything else. Mutations are made in place and
 * undone, so a large file is never copied per mutation.
 *
 * <p>Two families: every field of every parsed structure (header, program and section headers,
 * dynamic entries, version needs) set to each of a set of awkward values; and random bytes
 * written into the regions the reader looks at, plus truncations.
 */
final class ElfMutator {
    /** A field: where, how wide, what. */
    record Field(long offset, int width, String what) {}

    private final String name;
    private final byte[] bytes;
    private final ElfFile original;
    private final Random random;
    private final List<String> failures = new ArrayList<>();
    private int parses;
    private int rejected;

    ElfMutator(String name, byte[] bytes, long seed) throws java.io.IOException {
        this.name = name;
        this.bytes = bytes;
        this.original = ElfFile.parse(name, bytes);
        this.random = new Random(seed);
    }

    int parses() {
        return parses;
    }

    int rejected() {
        return rejected;
    }

    List<String> failures() {
        return failures;
    }

    /** Every field the reader uses, as found in the unmutated file. */
    List<Field> fields() {
        List<Field> fields = new ArrayList<>();
        boolean is64 = original.elfClass() == ElfClass.ELF64;
        int w = original.elfClass().wordSize();
        for (int i = 4; i < 9; i++) {
            fields.add(new Field(i, 1, "e_ident[" + i + "]"));
        }
        fields.add(new Field(16, 2, "e_type"));
        fields.add(new Field(18, 2, "e_machine"));
        fields.add(new Field(24, w, "e_entry"));
        fields.add(new Field(24 + w, w, "e_phoff"));
        fields.add(new Field(24 + 2 * w, w, "e_shoff"));
        int h = 24 + 3 * w + 4;
        String[] halves = {"e_ehsize", "e_phentsize", "e_phnum", "e_shentsize", "e_shnum", "e_shstrndx"};
        for (int i = 0; i < halves.length; i++) {
            fields.add(new Field(h + 2L * i, 2, halves[i]));
        }
        for (ProgramHeader p : original.programHeaders()) {
            long at = p.headerOffset();
            String s = "segment " + p.index() + " ";
            fields.add(new Field(at, 4, s + "p_type"));
            if (is64) {
                String[] names = {"p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_align"};
                for (int i = 0; i < names.length; i++) {
                    fields.add(new Field(at + 8 + 8L * i, 8, s + names[i]));
                }
            } else {
                String[] names = {"p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_flags", "p_align"};
                for (int i = 0; i < names.length; i++) {
                    fields.add(new Field(at + 4 + 4L * i, 4, s + names[i]));
                }
            }
        }
        for (SectionHeader sh : original.sectionHeaders()) {
            long at = sh.headerOffset();
            String s = "section " + sh.index() + " ";
            fields.add(new Field(at, 4, s + "sh_name"));
            fields.add(new Field(at + 4, 4, s + "sh_type"));
            if (is64) {
                fields.add(new Field(at + 16, 8, s + "sh_addr"));
                fields.add(new Field(at + 24, 8, s + "sh_offset"));
                fields.add(new Field(at + 32, 8, s + "sh_size"));
                fields.add(new Field(at + 40, 4, s + "sh_link"));
                fields.add(new Field(at + 44, 4, s + "sh_info"));
            } else {
                fields.add(new Field(at + 12, 4, s + "sh_addr"));
                fields.add(new Field(at + 16, 4, s + "sh_offset"));
                fields.add(new Field(at + 20, 4, s + "sh_size"));
                fields.add(new Field(at + 24, 4, s + "sh_link"));
                fields.add(new Field(at + 28, 4, s + "sh_info"));
            }
        }
        original.dynamic().ifPresent(d -> {
            for (DynamicEntry e : d.entries()) {
                fields.add(new Field(e.fileOffset(), w, "dynamic " + e.index() + " d_tag"));
                fields.add(new Field(e.fileOffset() + w, w, "dynamic " + e.index() + " d_val"));
            }
        });
        for (VersionNeed need : original.versionNeeds()) {
            long at = need.fileOffset();
            fields.add(new Field(at + 2, 2, "vn_cnt"));
            fields.add(new Field(at + 4, 4, "vn_file"));
            fields.add(new Field(at + 8, 4, "vn_aux"));
            fields.add(new Field(at + 12, 4, "vn_next"));
            for (VersionNeedAux aux : need.aux()) {
                fields.add(new Field(aux.fileOffset() + 8, 4, "vna_name"));
                fields.add(new Field(aux.fileOffset() + 12, 4, "vna_next"));
            }
        }
        return fields;
    }

    /** Sets every field to each awkward value in turn. */
    void mutateEveryField() {
        for (Field f : fields()) {
            long current = read(f);
            long size = bytes.length;
            long[] values = {0, 1, 2, 0x10, -1L, Long.MAX_VALUE, Integer.MAX_VALUE, 0x80000000L, current + 1,
                current - 1, current * 2, current + 0x1000, size, size - 1, size + 1, size / 2,
                random.nextLong()};
            for (long v : values) {
                write(f, v);
                check(f.what() + " = 0x" + Long.toHexString(truncate(v, f.width())), bytes.length);
                write(f, current);
            }
        }
    }

    /** {@code count} mutations of 1 to 8 random bytes each, in the regions the reader looks at. */
    void mutateRandomBytes(int count) {
        List<long[]> regions = regions();
        for (int i = 0; i < count; i++) {
            int n = 1 + random.nextInt(8);
            int[] positions = new int[n];
            byte[] saved = new byte[n];
            StringBuilder what = new StringBuilder("random bytes");
            for (int j = 0; j < n; j++) {
                long[] region = regions.get(random.nextInt(regions.size()));
                int position = (int) (region[0] + (long) (random.nextDouble() * region[1]));
                positions[j] = Math.min(position, bytes.length - 1);
                saved[j] = bytes[positions[j]];
            }
            for (int j = 0; j < n; j++) {
                byte value = (byte) random.nextInt(256);
                bytes[positions[j]] = value;
                what.append(String.format(" [0x%x]=0x%02x", positions[j], value & 0xff));
            }
            check(what.toString(), bytes.length);
            for (int j = n - 1; j >= 0; j--) {
                bytes[positions[j]] = saved[j];
            }
        }
    }

    /** {@code count} truncations, mostly inside the regions the reader looks at. */
    void truncate(int count) {
        List<long[]> regions = regions();
        for (int i = 0; i < count; i++) {
            long[] region = regions.get(random.nextInt(regions.size()));
            int length = (int) Math.min(bytes.length, region[0] + (long) (random.nextDouble() * (region[1] + 1)));
            check("truncated to 0x" + Integer.toHexString(length), length);
        }
    }

    /** [offset, length] of the header, each table and each structure the reader follows. */
    private List<long[]> regions() {
        List<long[]> regions = new ArrayList<>();
        regions.add(new long[] {0, original.elfClass().headerSize()});
        ElfHeader h = original.header();
        int phSize = original.elfClass().programHeaderSize();
        if (!original.programHeaders().isEmpty()) {
            regions.add(new long[] {h.phoff(), (long) original.programHeaders().size() * phSize});
        }
        if (!original.sectionHeaders().isEmpty()) {
            regions.add(new long[] {h.shoff(), (long) original.sectionHeaders().size()
                    * original.elfClass().sectionHeaderSize()});
        }
        original.interpreter().ifPresent(i -> regions.add(new long[] {i.segment().offset(), i.segment().filesz()}));
        original.dynamic().ifPresent(d -> regions.add(new long[] {d.fileOffset(), (long) d.capacity() * d.entrySize()}));
        original.dynamicStringTable().ifPresent(t -> regions.add(new long[] {t.fileOffset(), Math.min(t.size(), 1 << 16)}));
        if (!original.versionNeeds().isEmpty()) {
            VersionNeed first = original.versionNeeds().get(0);
            VersionNeed last = original.versionNeeds().get(original.versionNeeds().size() - 1);
            long end = last.aux().isEmpty() ? last.fileOffset() + 16 : last.aux().get(last.aux().size() - 1).fileOffset() + 16;
            regions.add(new long[] {first.fileOffset(), end - first.fileOffset()});
        }
        original.section(".shstrtab").ifPresent(s -> regions.add(new long[] {s.offset(), s.size()}));
        regions.removeIf(r -> r[0] < 0 || r[0] >= bytes.length || r[1] <= 0);
        return regions;
    }

    private void check(String mutation, int length) {
        parses++;
        try {
            ElfReader.read(ElfInput.of(name, bytes, length));
        } catch (BadInputException e) {
            rejected++;
            if (!e.getMessage().startsWith(name + ": bad ELF")) {
                failures.add(mutation + ": badly shaped message: " + e.getMessage());
            }
        } catch (Throwable t) {
            failures.add(mutation + ": " + t);
        }
    }

    private long read(Field f) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(original.data().byteOrder());
        int at = (int) f.offset();
        return switch (f.width()) {
            case 1 -> b.get(at) & 0xff;
            case 2 -> b.getShort(at) & 0xffff;
            case 4 -> b.getInt(at) & 0xffffffffL;
            default -> b.getLong(at);
        };
    }

    private void write(Field f, long value) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(original.data().byteOrder());
        int at = (int) f.offset();
        switch (f.width()) {
            case 1 -> b.put(at, (byte) value);
            case 2 -> b.putShort(at, (short) value);
            case 4 -> b.putInt(at, (int) value);
            default -> b.putLong(at, value);
        }
    }

    private static long truncate(long value, int width) {
        return width == 8 ? value : value & ((1L << (8 * width)) - 1);
    }
}
