package dev.closurewrap.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Encodes program headers, section headers and dynamic entries in one file's class and byte order. */
final class ElfCodec {
    final ElfClass elfClass;
    final ByteOrder order;
    final boolean is64;

    ElfCodec(ElfClass elfClass, ElfData data) {
        this.elfClass = elfClass;
        this.order = data.byteOrder();
        this.is64 = elfClass == ElfClass.ELF64;
    }

    ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(order);
    }

    ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(order);
    }

    int wordSize() {
        return elfClass.wordSize();
    }

    void putWord(ByteBuffer b, int at, long value) {
        if (is64) {
            b.putLong(at, value);
        } else {
            b.putInt(at, (int) value);
        }
    }

    long getWord(ByteBuffer b, int at) {
        return is64 ? b.getLong(at) : b.getInt(at) & 0xffffffffL;
    }

    byte[] programHeader(ProgramHeader p) {
        ByteBuffer b = buffer(elfClass.programHeaderSize());
        if (is64) {
            b.putInt(0, (int) p.type()).putInt(4, p.flags()).putLong(8, p.offset()).putLong(16, p.vaddr())
                    .putLong(24, p.paddr()).putLong(32, p.filesz()).putLong(40, p.memsz()).putLong(48, p.align());
        } else {
            b.putInt(0, (int) p.type()).putInt(4, (int) p.offset()).putInt(8, (int) p.vaddr())
                    .putInt(12, (int) p.paddr()).putInt(16, (int) p.filesz()).putInt(20, (int) p.memsz())
                    .putInt(24, p.flags()).putInt(28, (int) p.align());
        }
        return b.array();
    }

    byte[] sectionHeader(SectionHeader s) {
        ByteBuffer b = buffer(elfClass.sectionHeaderSize());
        if (is64) {
            b.putInt(0, (int) s.nameIndex()).putInt(4, (int) s.type()).putLong(8, s.flags()).putLong(16, s.addr())
                    .putLong(24, s.offset()).putLong(32, s.size()).putInt(40, (int) s.link())
                    .putInt(44, (int) s.info()).putLong(48, s.addralign()).putLong(56, s.entsize());
        } else {
            b.putInt(0, (int) s.nameIndex()).putInt(4, (int) s.type()).putInt(8, (int) s.flags())
                    .putInt(12, (int) s.addr()).putInt(16, (int) s.offset()).putInt(20, (int) s.size())
                    .putInt(24, (int) s.link()).putInt(28, (int) s.info()).putInt(32, (int) s.addralign())
                    .putInt(36, (int) s.entsize());
        }
        return b.array();
    }

    /** Dynamic entries (tag, value pairs), then DT_NULL entries up to {@code capacity}. */
    byte[] dynamicArray(long[][] entries, int capacity) {
        int size = elfClass.dynamicEntrySize();
        ByteBuffer b = buffer(capacity * size);
        for (int i = 0; i < entries.length; i++) {
            putWord(b, i * size, entries[i][0]);
            putWord(b, i * size + wordSize(), entries[i][1]);
        }
        return b.array();
    }

    /** Whether {@code value} fits an address or offset field of this class. */
    boolean fitsWord(long value) {
        return is64 ? value >= 0 : value >= 0 && value <= 0xffffffffL;
    }
}
