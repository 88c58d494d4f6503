package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Builds tiny, well-formed ELF images in memory for unit tests: a header, one PT_LOAD covering the
 * whole file, optional PT_INTERP and PT_DYNAMIC with its string table and version needs, and
 * optionally section headers. {@link Image#offsets} says where each structure landed, so that tests
 * can break exactly one field.
 *
 * <p>Layout: ehdr, phdrs, interp, dynstr, verneed, dynamic, shstrtab, shdrs.
 */
final class ElfBuilder {
    private final ElfClass elfClass;
    private final ElfData data;
    private int type = ET_DYN;
    private int machine = EM_X86_64;
    private long entry = 0x1000;
    private String interpreter;
    private final List<String> needed = new ArrayList<>();
    private String soname;
    private String rpath;
    private String runpath;
    private Long flags;
    private Long flags1;
    private final List<long[]> extraDynamic = new ArrayList<>();
    private final Map<String, List<String>> versionNeeds = new LinkedHashMap<>();
    private boolean dynamic = true;
    private boolean sections = true;
    private boolean debugFile;
    private int spareDynamicSlots = 2;

    private ElfBuilder(ElfClass elfClass, ElfData data) {
        this.elfClass = elfClass;
        this.data = data;
    }

    /** Every class and byte order, for parameterised tests: (ElfClass, ElfData). */
    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(ElfClass.ELF64, ElfData.LITTLE_ENDIAN),
                Arguments.of(ElfClass.ELF64, ElfData.BIG_ENDIAN),
                Arguments.of(ElfClass.ELF32, ElfData.LITTLE_ENDIAN),
                Arguments.of(ElfClass.ELF32, ElfData.BIG_ENDIAN));
    }

    static ElfBuilder of(ElfClass elfClass, ElfData data) {
        return new ElfBuilder(elfClass, data);
    }

    static ElfBuilder elf64le() {
        return of(ElfClass.ELF64, ElfData.LITTLE_ENDIAN);
    }

    ElfBuilder type(int value) { this.type = value; return this; }
    ElfBuilder machine(int value) { this.machine = value; return this; }
    ElfBuilder entry(long value) { this.entry = value; return this; }
    ElfBuilder interpreter(String value) { this.interpreter = value; return this; }
    ElfBuilder needed(String... values) { needed.addAll(List.of(values)); return this; }
    ElfBuilder soname(String value) { this.soname = value; return this; }
    ElfBuilder rpath(String value) { this.rpath = value; return this; }
    ElfBuilder runpath(String value) { this.runpath = value; return this; }
    ElfBuilder flags(long value) { this.flags = value; return this; }
    ElfBuilder flags1(long value) { this.flags1 = value; return this; }
    ElfBuilder dynamicEntry(long tag, long value) { extraDynamic.add(new long[] {tag, value}); return this; }
    ElfBuilder versionNeed(String file, String... versions) { versionNeeds.put(file, List.of(versions)); return this; }
    ElfBuilder noDynamic() { this.dynamic = false; return this; }
    ElfBuilder noSections() { this.sections = false; return this; }
    ElfBuilder debugFile() { this.debugFile = true; return this; }
    ElfBuilder spareDynamicSlots(int value) { this.spareDynamicSlots = value; return this; }

    /** The built bytes and where each structure is. */
    record Image(byte[] bytes, Map<String, Integer> offsets, ElfClass elfClass, ElfData data) {
        int at(String structure) {
            Integer offset = offsets.get(structure);
            if (offset == null) {
                throw new IllegalArgumentException("no " + structure + " in " + offsets.keySet());
            }
            return offset;
        }

        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes).order(data.byteOrder());
        }

        /** Writes a word (4 or 8 bytes by class) at {@code offset}. */
        Image putWord(int offset, long value) {
            if (elfClass == ElfClass.ELF64) {
                buffer().putLong(offset, value);
            } else {
                buffer().putInt(offset, (int) value);
            }
            return this;
        }

        Image putU16(int offset, int value) { buffer().putShort(offset, (short) value); return this; }
        Image putU32(int offset, long value) { buffer().putInt(offset, (int) value); return this; }

        ElfFile parse() throws java.io.IOException {
            return ElfFile.parse("fixture.so", bytes);
        }

        ElfFile parse(String name) throws java.io.IOException {
            return ElfFile.parse(name, bytes);
        }

        /** The bytes cut to {@code length}. */
        Image truncated(int length) {
            return new Image(java.util.Arrays.copyOf(bytes, length), offsets, elfClass, data);
        }
    }

    Image build() {
        boolean is64 = elfClass == ElfClass.ELF64;
        int w = elfClass.wordSize();
        long base = type == ET_EXEC ? (is64 ? 0x400000L : 0x8048000L) : 0;
        Map<String, Integer> at = new LinkedHashMap<>();

        // Dynamic string table: index 0 is the empty string.
        ByteArrayOutputStream dynstr = new ByteArrayOutputStream();
        dynstr.write(0);
        Map<String, Integer> strIndex = new LinkedHashMap<>();
        java.util.function.Function<String, Integer> str = s -> strIndex.computeIfAbsent(s, k -> {
            int index = dynstr.size();
            dynstr.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            dynstr.write(0);
            return index;
        });
        needed.forEach(str::apply);
        if (soname != null) str.apply(soname);
        if (rpath != null) str.apply(rpath);
        if (runpath != null) str.apply(runpath);
        versionNeeds.forEach((file, versions) -> {
            str.apply(file);
            versions.forEach(str::apply);
        });

        int phnum = 1 + (interpreter != null ? 1 : 0) + (dynamic ? 1 : 0);
        int offset = elfClass.headerSize();
        at.put("phdrs", offset);
        offset += phnum * elfClass.programHeaderSize();
        byte[] interpBytes = null;
        if (interpreter != null) {
            interpBytes = (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
            at.put("interp", offset);
            offset += interpBytes.length;
        }
        byte[] dynstrBytes = dynstr.toByteArray();
        if (dynamic) {
            at.put("dynstr", offset);
            offset += dynstrBytes.length;
            offset = align(offset, 8);
        }
        int verneedCount = versionNeeds.size();
        int verneedBytes = 0;
        for (List<String> v : versionNeeds.values()) {
            verneedBytes += 16 + 16 * v.size();
        }
        if (dynamic && verneedCount > 0) {
            at.put("verneed", offset);
            offset += verneedBytes;
        }
        List<long[]> dyn = new ArrayList<>();
        if (dynamic) {
            for (String n : needed) dyn.add(new long[] {DT_NEEDED, str.apply(n)});
            if (soname != null) dyn.add(new long[] {DT_SONAME, str.apply(soname)});
            if (rpath != null) dyn.add(new long[] {DT_RPATH, str.apply(rpath)});
            if (runpath != null) dyn.add(new long[] {DT_RUNPATH, str.apply(runpath)});
            dyn.add(new long[] {DT_STRTAB, base + at.get("dynstr")});
            dyn.add(new long[] {DT_STRSZ, dynstrBytes.length});
            if (verneedCount > 0) {
                dyn.add(new long[] {DT_VERNEED, base + at.get("verneed")});
                dyn.add(new long[] {DT_VERNEEDNUM, verneedCount});
            }
            if (flags != null) dyn.add(new long[] {DT_FLAGS, flags});
            if (flags1 != null) dyn.add(new long[] {DT_FLAGS_1, flags1});
            dyn.addAll(extraDynamic);
            dyn.add(new long[] {DT_NULL, 0});
            for (int i = 0; i < spareDynamicSlots; i++) dyn.add(new long[] {DT_NULL, 0});
            at.put("dynamic", offset);
            offset += dyn.size() * elfClass.dynamicEntrySize();
        }
        // Section names.
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        List<Object[]> shdrs = new ArrayList<>(); // name, type, flags, addr, offset, size, link, entsize
        if (sections) {
            if (interpreter != null) {
                shdrs.add(new Object[] {".interp", debugFile ? SHT_NOBITS : SHT_PROGBITS, SHF_ALLOC,
                        base + at.get("interp"), (long) at.get("interp"), (long) interpBytes.length, 0L, 0L});
            }
            if (dynamic) {
                shdrs.add(new Object[] {".dynstr", SHT_STRTAB, SHF_ALLOC, base + at.get("dynstr"),
                        (long) at.get("dynstr"), (long) dynstrBytes.length, 0L, 0L});
                int dynstrIndex = shdrs.size(); // index in the final table (section 0 comes first)
                if (verneedCount > 0) {
                    shdrs.add(new Object[] {".gnu.version_r", SHT_GNU_VERNEED, SHF_ALLOC, base + at.get("verneed"),
                            (long) at.get("verneed"), (long) verneedBytes, (long) dynstrIndex, 0L});
                }
                shdrs.add(new Object[] {".dynamic", debugFile ? SHT_NOBITS : SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE,
                        base + at.get("dynamic"), (long) at.get("dynamic"),
                        (long) dyn.size() * elfClass.dynamicEntrySize(), (long) dynstrIndex,
                        (long) elfClass.dynamicEntrySize()});
            }
            shdrs.add(new Object[] {".text", debugFile ? SHT_NOBITS : SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
                    base + elfClass.headerSize(), (long) elfClass.headerSize(), 0L, 0L, 0L});
            shdrs.add(new Object[] {".shstrtab", SHT_STRTAB, 0L, 0L, 0L, 0L, 0L, 0L});
        }
        List<Integer> shNames = new ArrayList<>();
        for (Object[] s : shdrs) {
            shNames.add(shstr.size());
            shstr.writeBytes(((String) s[0]).getBytes(StandardCharsets.UTF_8));
            shstr.write(0);
        }
        byte[] shstrBytes = shstr.toByteArray();
        if (sections) {
            at.put("shstrtab", offset);
            Object[] last = shdrs.get(shdrs.size() - 1);
            last[4] = (long) offset;
            last[5] = (long) shstrBytes.length;
            offset += shstrBytes.length;
            offset = align(offset, 8);
            at.put("shdrs", offset);
            offset += (shdrs.size() + 1) * elfClass.sectionHeaderSize();
        }
        int size = offset;

        ByteBuffer b = ByteBuffer.allocate(size).order(data.byteOrder());
        // e_ident
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass.code(), (byte) data.code(), 1, 0});
        b.putShort(16, (short) type);
        b.putShort(18, (short) machine);
        b.putInt(20, 1);
        putWord(b, 24, base + entry);
        putWord(b, 24 + w, at.get("phdrs"));
        putWord(b, 24 + 2 * w, sections ? at.get("shdrs") : 0);
        int h = 24 + 3 * w;
        b.putInt(h, 0);
        b.putShort(h + 4, (short) elfClass.headerSize());
        b.putShort(h + 6, (short) elfClass.programHeaderSize());
        b.putShort(h + 8, (short) phnum);
        b.putShort(h + 10, (short) (sections ? elfClass.sectionHeaderSize() : 0));
        b.putShort(h + 12, (short) (sections ? shdrs.size() + 1 : 0));
        b.putShort(h + 14, (short) (sections ? shdrs.size() : 0));

        // Program headers: LOAD (whole file), INTERP, DYNAMIC.
        int ph = at.get("phdrs");
        putPhdr(b, ph, PT_LOAD, PF_R | PF_X, 0, base, size, size, 0x1000);
        ph += elfClass.programHeaderSize();
        if (interpreter != null) {
            at.put("phdr.interp", ph);
            putPhdr(b, ph, PT_INTERP, PF_R, at.get("interp"), base + at.get("interp"),
                    debugFile ? 0 : interpBytes.length, interpBytes.length, 1);
            b.put(at.get("interp"), interpBytes);
            ph += elfClass.programHeaderSize();
        }
        if (dynamic) {
            at.put("phdr.dynamic", ph);
            long dynSize = (long) dyn.size() * elfClass.dynamicEntrySize();
            putPhdr(b, ph, PT_DYNAMIC, PF_R | PF_W, at.get("dynamic"), base + at.get("dynamic"),
                    debugFile ? 0 : dynSize, dynSize, 8);
            b.put(at.get("dynstr"), dynstrBytes);
            int d = at.get("dynamic");
            for (long[] e : dyn) {
                putWord(b, d, e[0]);
                putWord(b, d + w, e[1]);
                d += elfClass.dynamicEntrySize();
            }
            if (verneedCount > 0) {
                int v = at.get("verneed");
                int i = 0;
                for (Map.Entry<String, List<String>> need : versionNeeds.entrySet()) {
                    List<String> versions = need.getValue();
                    int entrySize = 16 + 16 * versions.size();
                    b.putShort(v, (short) 1);
                    b.putShort(v + 2, (short) versions.size());
                    b.putInt(v + 4, str.apply(need.getKey()));
                    b.putInt(v + 8, versions.isEmpty() ? 0 : 16);
                    b.putInt(v + 12, ++i < verneedCount ? entrySize : 0);
                    int a = v + 16;
                    for (int j = 0; j < versions.size(); j++) {
                        b.putInt(a, (int) elfHash(versions.get(j)));
                        b.putShort(a + 4, (short) 0);
                        b.putShort(a + 6, (short) (2 + j));
                        b.putInt(a + 8, str.apply(versions.get(j)));
                        b.putInt(a + 12, j + 1 < versions.size() ? 16 : 0);
                        a += 16;
                    }
                    v += entrySize;
                }
            }
        }
        if (sections) {
            b.put(at.get("shstrtab"), shstrBytes);
            int sh = at.get("shdrs") + elfClass.sectionHeaderSize(); // section 0 stays all zero
            for (int i = 0; i < shdrs.size(); i++) {
                Object[] s = shdrs.get(i);
                at.put("shdr" + s[0], sh);
                putShdr(b, sh, shNames.get(i), (long) s[1], (long) s[2], (long) s[3], (long) s[4], (long) s[5],
                        (long) s[6], (long) s[7]);
                sh += elfClass.sectionHeaderSize();
            }
        }
        return new Image(b.array(), Map.copyOf(at), elfClass, data);
    }

    private void putWord(ByteBuffer b, int at, long value) {
        if (elfClass == ElfClass.ELF64) {
            b.putLong(at, value);
        } else {
            b.putInt(at, (int) value);
        }
    }

    private void putPhdr(ByteBuffer b, int at, long type, int flags, long offset, long vaddr, long filesz,
            long memsz, long align) {
        if (elfClass == ElfClass.ELF64) {
            b.putInt(at, (int) type).putInt(at + 4, flags).putLong(at + 8, offset).putLong(at + 16, vaddr)
                    .putLong(at + 24, vaddr).putLong(at + 32, filesz).putLong(at + 40, memsz).putLong(at + 48, align);
        } else {
            b.putInt(at, (int) type).putInt(at + 4, (int) offset).putInt(at + 8, (int) vaddr)
                    .putInt(at + 12, (int) vaddr).putInt(at + 16, (int) filesz).putInt(at + 20, (int) memsz)
                    .putInt(at + 24, flags).putInt(at + 28, (int) align);
        }
    }

    private void putShdr(ByteBuffer b, int at, int name, long type, long flags, long addr, long offset, long size,
            long link, long entsize) {
        b.putInt(at, name).putInt(at + 4, (int) type);
        if (elfClass == ElfClass.ELF64) {
            b.putLong(at + 8, flags).putLong(at + 16, addr).putLong(at + 24, offset).putLong(at + 32, size)
                    .putInt(at + 40, (int) link).putInt(at + 44, 0).putLong(at + 48, 1).putLong(at + 56, entsize);
        } else {
            b.putInt(at + 8, (int) flags).putInt(at + 12, (int) addr).putInt(at + 16, (int) offset)
                    .putInt(at + 20, (int) size).putInt(at + 24, (int) link).putInt(at + 28, 0).putInt(at + 32, 1)
                    .putInt(at + 36, (int) entsize);
        }
    }

    private static int align(int value, int alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    /** The SysV ELF hash that vna_hash holds. */
    static long elfHash(String name) {
        long h = 0;
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 4) + (c & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g;
        }
        return h & 0xffffffffL;
    }

    static ByteOrder order(ElfData data) {
        return data.byteOrder();
    }
}
