package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Everything besides the edited entries that points into the dynamic string table: symbol names
 * (.dynsym, and any symbol table linked to .dynstr), version definition names, and the
 * string-valued dynamic tags the editor does not edit (filters, audit). Version need names are
 * the caller's: they go with their version need entry, which an edit may drop. The editor may
 * only clear or reuse bytes none of these cover. When a user cannot be found for certain (a
 * section-less file without a hash table), {@link #complete()} is false and nothing is cleared.
 */
final class DynamicStringUsers {
    /** A symbol table: where its entries are, how many, and whether it is the dynamic one. */
    record SymbolTable(long fileOffset, long count, int sectionIndex) {}

    private static final long DT_CONFIG = 0x6ffffefaL;
    private static final long DT_DEPAUDIT = 0x6ffffefbL;
    private static final long DT_AUDIT = 0x6ffffefcL;

    final List<Long> references = new ArrayList<>();
    final List<SymbolTable> symbolTables = new ArrayList<>();
    /** The number of dynamic symbols, or -1 if unknown. */
    long dynamicSymbolCount = -1;
    boolean complete = true;

    private final ElfFile file;
    private final ElfInput in;
    private final ElfCodec codec;

    private DynamicStringUsers(ElfFile file, ElfInput in) {
        this.file = file;
        this.in = in;
        this.codec = new ElfCodec(file.elfClass(), file.data());
    }

    boolean complete() {
        return complete;
    }

    static DynamicStringUsers collect(ElfFile file, ElfInput in, int dynstrSection) throws IOException {
        DynamicStringUsers users = new DynamicStringUsers(file, in);
        users.collectDynamicTags();
        users.collectVersionDefinitions();
        users.collectSymbols(dynstrSection);
        return users;
    }

    private void collectDynamicTags() {
        for (DynamicEntry e : file.dynamic().orElseThrow().entries()) {
            long t = e.tag();
            if (t == DT_AUXILIARY || t == DT_FILTER || t == DT_CONFIG || t == DT_DEPAUDIT || t == DT_AUDIT) {
                references.add(e.value());
            }
        }
    }

    private void collectVersionDefinitions() throws IOException {
        DynamicSection dynamic = file.dynamic().orElseThrow();
        OptionalLong address = dynamic.value(DT_VERDEF);
        OptionalLong count = dynamic.value(DT_VERDEFNUM);
        if (address.isEmpty() || count.isEmpty()) {
            return;
        }
        long at = address.getAsLong();
        long defined = count.getAsLong();
        if (defined < 0 || defined > in.size / 20) {
            throw in.bad(dynamic.last(DT_VERDEFNUM).orElseThrow().fileOffset(), "DT_VERDEFNUM "
                    + Long.toUnsignedString(defined) + " entries of 20 bytes cannot fit in the file");
        }
        for (long i = 0; i < defined; i++) {
            long offset = offsetOf(at, 20, "version definition " + i);
            ByteBuffer d = in.read(offset, 20, "version definition " + i);
            int auxCount = d.getShort(6) & 0xffff;
            long aux = d.getInt(12) & 0xffffffffL;
            long next = d.getInt(16) & 0xffffffffL;
            long auxAt = at + aux;
            for (int j = 0; j < auxCount; j++) {
                long auxOffset = offsetOf(auxAt, 8, "version definition " + i + " aux " + j);
                ByteBuffer a = in.read(auxOffset, 8, "version definition aux");
                references.add(a.getInt(0) & 0xffffffffL);
                long auxNext = a.getInt(4) & 0xffffffffL;
                if (auxNext < 8) {
                    break; // 0 ends the chain; anything shorter than an entry would loop
                }
                auxAt += auxNext;
            }
            if (next == 0) {
                break;
            }
            if (next < 20) {
                throw in.bad(offset, "version definition " + i + ": vd_next 0x" + Long.toHexString(next)
                        + " does not move past the entry (20 bytes)");
            }
            at += next;
        }
    }

    private void collectSymbols(int dynstrSection) throws IOException {
        int symbolSize = file.elfClass() == ElfClass.ELF64 ? 24 : 16;
        boolean foundDynamic = false;
        for (SectionHeader s : file.sectionHeaders()) {
            if ((s.type() == SHT_DYNSYM || s.type() == SHT_SYMTAB) && s.size() > 0) {
                long count = s.size() / symbolSize;
                symbolTables.add(new SymbolTable(s.offset(), count, s.index()));
                if (s.type() == SHT_DYNSYM) {
                    foundDynamic = true;
                    dynamicSymbolCount = count;
                }
                if (s.link() == dynstrSection && dynstrSection > 0) {
                    addSymbolNames(s.offset(), count, symbolSize);
                }
            }
        }
        if (foundDynamic) {
            return;
        }
        // No section headers: find .dynsym through DT_SYMTAB and count it through a hash table.
        OptionalLong symtab = file.dynamic().orElseThrow().value(DT_SYMTAB);
        if (symtab.isEmpty()) {
            return;
        }
        long count = symbolCountFromHash();
        if (count < 0) {
            complete = false;
            return;
        }
        dynamicSymbolCount = count;
        long offset = offsetOf(symtab.getAsLong(), Math.multiplyExact(count, symbolSize), "dynamic symbol table");
        symbolTables.add(new SymbolTable(offset, count, -1));
        addSymbolNames(offset, count, symbolSize);
    }

    private void addSymbolNames(long offset, long count, int symbolSize) throws IOException {
        ByteBuffer table = in.read(offset, Math.multiplyExact(count, symbolSize), "symbol table");
        for (int i = 0; i < count; i++) {
            references.add(table.getInt(i * symbolSize) & 0xffffffffL);
        }
    }

    /** The number of dynamic symbols from DT_HASH's nchain or by walking DT_GNU_HASH, or -1. */
    private long symbolCountFromHash() throws IOException {
        DynamicSection dynamic = file.dynamic().orElseThrow();
        OptionalLong hash = dynamic.value(DT_HASH);
        if (hash.isPresent()) {
            ByteBuffer h = in.read(offsetOf(hash.getAsLong(), 8, "DT_HASH"), 8, "DT_HASH");
            return h.getInt(4) & 0xffffffffL;
        }
        OptionalLong gnuHash = dynamic.value(DT_GNU_HASH);
        if (gnuHash.isEmpty()) {
            return -1;
        }
        long at = gnuHash.getAsLong();
        ByteBuffer h = in.read(offsetOf(at, 16, "DT_GNU_HASH"), 16, "DT_GNU_HASH");
        long buckets = h.getInt(0) & 0xffffffffL;
        long symbolOffset = h.getInt(4) & 0xffffffffL;
        long bloomWords = h.getInt(8) & 0xffffffffL;
        long bucketsAt = at + 16 + bloomWords * codec.wordSize();
        ByteBuffer b = in.read(offsetOf(bucketsAt, buckets * 4, "DT_GNU_HASH buckets"), buckets * 4, "DT_GNU_HASH buckets");
        long max = 0;
        for (int i = 0; i < buckets; i++) {
            max = Math.max(max, b.getInt(i * 4) & 0xffffffffL);
        }
        if (max < symbolOffset) {
            return symbolOffset;
        }
        // The last chain ends with an entry whose low bit is set; read it in chunks, never past the file.
        long chainAt = bucketsAt + buckets * 4 + (max - symbolOffset) * 4;
        long chainOffset = offsetOf(chainAt, 4, "DT_GNU_HASH chain");
        long index = max;
        while (chainOffset + 4 <= in.size) {
            int chunk = (int) Math.min(4096, (in.size - chainOffset) / 4);
            ByteBuffer c = in.read(chainOffset, chunk * 4L, "DT_GNU_HASH chain");
            for (int i = 0; i < chunk; i++, index++) {
                if ((c.getInt(i * 4) & 1) != 0) {
                    return index + 1;
                }
            }
            chainOffset += chunk * 4L;
        }
        return -1;
    }

    private long offsetOf(long address, long size, String what) throws IOException {
        OptionalLong offset = file.fileOffsetOf(address, size);
        if (offset.isEmpty()) {
            throw in.bad(0, what + " at address 0x" + Long.toHexString(address)
                    + " is not inside the file image of any PT_LOAD");
        }
        return offset.getAsLong();
    }
}
