package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses one ELF file into an {@link ElfFile}: header, program headers, section headers (if any),
 * PT_INTERP, the dynamic array with its strings, and the version needs. Every count and offset taken
 * from the file is checked against the file's size before anything is read or allocated, and every
 * loop is bounded by a count that has been checked that way.
 */
final class ElfReader {
    /** The kernel refuses a PT_INTERP larger than PATH_MAX. */
    static final int MAX_INTERP = 4096;
    /** Dynamic entries read per positional read. */
    private static final int DYNAMIC_CHUNK_ENTRIES = 256;

    private final ElfInput in;
    private ElfClass elfClass;
    private boolean is64;

    private ElfReader(ElfInput in) {
        this.in = in;
    }

    static boolean hasMagic(ElfInput in) throws IOException {
        ByteBuffer magic = in.readAtMost(0, 4);
        return magic.remaining() == 4 && magic.get(0) == 0x7f && magic.get(1) == 'E' && magic.get(2) == 'L'
                && magic.get(3) == 'F';
    }

    static ElfFile read(ElfInput in) throws IOException {
        return new ElfReader(in).read();
    }

    private ElfFile read() throws IOException {
        if (!hasMagic(in)) {
            throw in.bad(0, "not an ELF file (no \\x7fELF magic)");
        }
        ElfHeader header = readHeader();
        TableCounts counts = readTableCounts(header);
        checkTablesDoNotOverlap(header, counts);
        List<SectionHeader> sections = readSectionHeaders(header, counts);
        List<ProgramHeader> segments = readProgramHeaders(header, counts);

        boolean debugFile = isSeparateDebugFile(header, sections);
        Optional<Interpreter> interpreter = Optional.empty();
        Optional<DynamicSection> dynamic = Optional.empty();
        Optional<StringTable> dynamicStrings = Optional.empty();
        List<DynamicString> strings = List.of();
        List<VersionNeed> versionNeeds = List.of();
        // A separate debug file keeps the program headers of its original, but none of the bytes
        // they describe: its PT_INTERP and PT_DYNAMIC point at unrelated data.
        if (!debugFile) {
            checkNotOverHeaders(header, segments);
            interpreter = readInterpreter(segments);
            dynamic = readDynamic(segments);
            if (dynamic.isPresent()) {
                Optional<StringTableReader> strtab = dynamicStringTable(dynamic.get(), segments);
                dynamicStrings = strtab.map(StringTableReader::table);
                strings = readDynamicStrings(dynamic.get(), strtab);
                versionNeeds = readVersionNeeds(dynamic.get(), segments, strtab);
            }
        }
        return new ElfFile(in.name, in.size, header, segments, sections, debugFile, interpreter, dynamic,
                dynamicStrings, strings, versionNeeds);
    }

    // ---- file header ----

    private ElfHeader readHeader() throws IOException {
        ByteBuffer ident = in.readAtMost(0, EI_NIDENT);
        if (ident.remaining() < EI_NIDENT) {
            throw in.bad(0, "ELF identification (16 bytes) runs past end of file (size 0x"
                    + Long.toHexString(in.size) + ")");
        }
        int classByte = ident.get(4) & 0xff;
        elfClass = ElfClass.ofCode(classByte);
        if (elfClass == null) {
            throw in.bad(4, "EI_CLASS 0x" + Integer.toHexString(classByte)
                    + " is neither ELFCLASS32 (1) nor ELFCLASS64 (2)");
        }
        is64 = elfClass == ElfClass.ELF64;
        int dataByte = ident.get(5) & 0xff;
        ElfData data = ElfData.ofCode(dataByte);
        if (data == null) {
            throw in.bad(5, "EI_DATA 0x" + Integer.toHexString(dataByte)
                    + " is neither ELFDATA2LSB (1) nor ELFDATA2MSB (2)");
        }
        in.order = data.byteOrder();
        ByteBuffer b = in.read(0, elfClass.headerSize(), "ELF header (" + elfClass.headerSize() + " bytes)");
        int w = elfClass.wordSize();
        int type = u16(b, 16);
        int machine = u16(b, 18);
        long version = u32(b, 20);
        long entry = word(b, 24);
        long phoff = word(b, 24 + w);
        long shoff = word(b, 24 + 2 * w);
        int at = 24 + 3 * w;
        int flags = b.getInt(at);
        return new ElfHeader(elfClass, data, ident.get(6) & 0xff, ident.get(7) & 0xff, ident.get(8) & 0xff,
                type, machine, version, entry, phoff, shoff, flags, u16(b, at + 4), u16(b, at + 6), u16(b, at + 8),
                u16(b, at + 10), u16(b, at + 12), u16(b, at + 14));
    }

    // ---- section headers ----

    /** The real table sizes: with extended numbering, section 0 holds what the header cannot. */
    private record TableCounts(long sections, long segments, long nameTableIndex) {}

    private TableCounts readTableCounts(ElfHeader h) throws IOException {
        long shoff = h.shoff();
        ByteBuffer zero = null;
        if (shoff == 0) {
            if (h.shnum() != 0) {
                throw in.bad(0, "e_shnum=" + h.shnum() + " but e_shoff is 0");
            }
        } else {
            if (h.shentsize() != elfClass.sectionHeaderSize()) {
                throw in.bad(0, "e_shentsize " + h.shentsize() + " is not " + elfClass.sectionHeaderSize()
                        + " (the size of a " + elfClass + " section header)");
            }
            zero = in.read(shoff, elfClass.sectionHeaderSize(), "section header 0");
        }
        long sections = h.shnum();
        if (zero != null && sections == 0) {
            sections = word(zero, is64 ? 32 : 20);
        }
        long segments = h.phnum();
        if (segments == PN_XNUM) {
            if (zero == null) {
                throw in.bad(0, "e_phnum is PN_XNUM (0xffff) but there is no section 0 to hold the real count");
            }
            segments = u32(zero, is64 ? 44 : 28);
        }
        long nameTableIndex = h.shstrndx() == SHN_XINDEX && zero != null ? u32(zero, is64 ? 40 : 24) : h.shstrndx();
        if (sections > 0 && nameTableIndex >= sections) {
            throw in.bad(0, "section name table index " + nameTableIndex + " is not below the section count "
                    + sections);
        }
        return new TableCounts(sections, segments, nameTableIndex);
    }

    private List<SectionHeader> readSectionHeaders(ElfHeader h, TableCounts counts) throws IOException {
        long count = counts.sections();
        if (count == 0) {
            return List.of();
        }
        long shoff = h.shoff();
        int entsize = elfClass.sectionHeaderSize();
        long tableBytes = count <= in.size / entsize ? count * entsize : Long.MAX_VALUE;
        in.requireInBounds(shoff, tableBytes, "section header table (" + count + " entries of " + entsize
                + " bytes)");
        long nameTableIndex = counts.nameTableIndex();
        ByteBuffer table = in.read(shoff, tableBytes, "section header table");
        int n = (int) count;
        List<SectionHeader> raw = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            raw.add(sectionHeader(table, i, shoff + (long) i * entsize, ByteString.EMPTY));
        }
        for (SectionHeader s : raw) {
            if (s.hasFileImage()) {
                checkRange(s.headerOffset(), s.offset(), s.size(), "section " + s.index() + " (sh_offset 0x"
                        + Long.toHexString(s.offset()) + ", sh_size 0x" + Long.toHexString(s.size()) + ")");
            }
        }
        if (nameTableIndex == SHN_UNDEF) {
            return List.copyOf(raw);
        }
        SectionHeader names = raw.get((int) nameTableIndex);
        if (!names.hasFileImage()) {
            throw in.bad(names.headerOffset(), "section name table (section " + nameTableIndex
                    + ") has no bytes in the file (sh_type 0x" + Long.toHexString(names.type()) + ")");
        }
        StringTableReader nameReader = new StringTableReader(in,
                new StringTable(names.addr(), names.offset(), names.size()), "the section name table");
        List<SectionHeader> named = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SectionHeader s = raw.get(i);
            ByteString name = i == 0 && s.nameIndex() == 0 ? ByteString.EMPTY
                    : nameReader.get(s.nameIndex(), "section " + i + " name", s.headerOffset());
            named.add(sectionHeader(table, i, s.headerOffset(), name));
        }
        return List.copyOf(named);
    }

    private SectionHeader sectionHeader(ByteBuffer table, int index, long headerOffset, ByteString name) {
        int base = index * elfClass.sectionHeaderSize();
        if (is64) {
            return new SectionHeader(index, headerOffset, u32(table, base), name, u32(table, base + 4),
                    table.getLong(base + 8), table.getLong(base + 16), table.getLong(base + 24),
                    table.getLong(base + 32), u32(table, base + 40), u32(table, base + 44),
                    table.getLong(base + 48), table.getLong(base + 56));
        }
        return new SectionHeader(index, headerOffset, u32(table, base), name, u32(table, base + 4),
                u32(table, base + 8), u32(table, base + 12), u32(table, base + 16), u32(table, base + 20),
                u32(table, base + 24), u32(table, base + 28), u32(table, base + 32), u32(table, base + 36));
    }

    // ---- program headers ----

    private List<ProgramHeader> readProgramHeaders(ElfHeader h, TableCounts counts) throws IOException {
        long count = counts.segments();
        if (count == 0) {
            return List.of();
        }
        int entsize = elfClass.programHeaderSize();
        if (h.phentsize() != entsize) {
            throw in.bad(0, "e_phentsize " + h.phentsize() + " is not " + entsize + " (the size of a " + elfClass
                    + " program header)");
        }
        long phoff = h.phoff();
        String what = "program header table (e_phnum=" + count + ")";
        long tableBytes = count <= in.size / entsize ? count * entsize : Long.MAX_VALUE;
        in.requireInBounds(phoff, tableBytes, what);
        ByteBuffer table = in.read(phoff, tableBytes, what);
        int n = (int) count;
        List<ProgramHeader> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int base = i * entsize;
            long headerOffset = phoff + base;
            ProgramHeader p = is64
                    ? new ProgramHeader(i, headerOffset, u32(table, base), table.getInt(base + 4),
                            table.getLong(base + 8), table.getLong(base + 16), table.getLong(base + 24),
                            table.getLong(base + 32), table.getLong(base + 40), table.getLong(base + 48))
                    : new ProgramHeader(i, headerOffset, u32(table, base), table.getInt(base + 24),
                            u32(table, base + 4), u32(table, base + 8), u32(table, base + 12),
                            u32(table, base + 16), u32(table, base + 20), u32(table, base + 28));
            // Core dumps are often cut short on purpose (ulimit -c); every other file must hold its segments.
            if (h.type() != ET_CORE) {
                checkRange(headerOffset, p.offset(), p.filesz(), "segment " + i + " (" + p.typeName()
                        + ", p_offset 0x" + Long.toHexString(p.offset()) + ", p_filesz 0x"
                        + Long.toHexString(p.filesz()) + ")");
            }
            result.add(p);
        }
        return List.copyOf(result);
    }

    private void checkTablesDoNotOverlap(ElfHeader h, TableCounts counts) throws BadInputException {
        // Each table must first lie inside the file, so that a huge count reads as what it is.
        requireTableInBounds(h.phoff(), counts.segments(), elfClass.programHeaderSize(),
                "program header table (e_phnum=" + counts.segments() + ")");
        requireTableInBounds(h.shoff(), counts.sections(), elfClass.sectionHeaderSize(),
                "section header table (" + counts.sections() + " entries of " + elfClass.sectionHeaderSize()
                        + " bytes)");
        long headerEnd = elfClass.headerSize();
        boolean hasSegments = counts.segments() > 0;
        boolean hasSections = counts.sections() > 0;
        if (hasSegments && Long.compareUnsigned(h.phoff(), headerEnd) < 0) {
            throw in.bad(h.phoff(), "program header table overlaps the ELF header");
        }
        if (hasSections && Long.compareUnsigned(h.shoff(), headerEnd) < 0) {
            throw in.bad(h.shoff(), "section header table overlaps the ELF header");
        }
        if (hasSegments && hasSections && h.phoff() >= 0 && h.shoff() >= 0) {
            // Both counts fit in 32 bits and the offsets are below 2^63: the ends cannot overflow into trouble.
            long phEnd = saturatingEnd(h.phoff(), counts.segments(), elfClass.programHeaderSize());
            long shEnd = saturatingEnd(h.shoff(), counts.sections(), elfClass.sectionHeaderSize());
            if (h.phoff() < shEnd && h.shoff() < phEnd) {
                throw in.bad(h.shoff(), "section header table overlaps the program header table (0x"
                        + Long.toHexString(h.phoff()) + "..0x" + Long.toHexString(phEnd) + ")");
            }
        }
    }

    private void requireTableInBounds(long offset, long count, int entrySize, String what)
            throws BadInputException {
        if (count > 0) {
            long bytes = count <= in.size / entrySize ? count * entrySize : Long.MAX_VALUE;
            in.requireInBounds(offset, bytes, what);
        }
    }

    private static long saturatingEnd(long offset, long count, int entrySize) {
        try {
            return Math.addExact(offset, Math.multiplyExact(count, entrySize));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** PT_INTERP and PT_DYNAMIC hold their own data; neither may lie over the ELF header or the program headers. */
    private void checkNotOverHeaders(ElfHeader h, List<ProgramHeader> segments) throws BadInputException {
        long phEnd = h.phoff() + (long) segments.size() * elfClass.programHeaderSize();
        for (ProgramHeader p : segments) {
            if ((p.type() != PT_INTERP && p.type() != PT_DYNAMIC) || p.filesz() == 0) {
                continue;
            }
            long end = p.offset() + p.filesz(); // both checked against the file size
            if (p.offset() < elfClass.headerSize()) {
                throw in.bad(p.headerOffset(), p.typeName() + " (p_offset 0x" + Long.toHexString(p.offset())
                        + ") overlaps the ELF header");
            }
            if (!segments.isEmpty() && p.offset() < phEnd && h.phoff() < end) {
                throw in.bad(p.headerOffset(), p.typeName() + " (p_offset 0x" + Long.toHexString(p.offset())
                        + ", p_filesz 0x" + Long.toHexString(p.filesz()) + ") overlaps the program header table");
            }
        }
    }

    // ---- classification input ----

    private static boolean isSeparateDebugFile(ElfHeader h, List<SectionHeader> sections) {
        if (h.type() != ET_EXEC && h.type() != ET_DYN) {
            return false;
        }
        Optional<SectionHeader> dynamic = find(sections, ".dynamic");
        if (dynamic.isPresent()) {
            return dynamic.get().isNobits();
        }
        // A static program's debug file has no .dynamic: its code went the same way.
        return find(sections, ".text").map(SectionHeader::isNobits).orElse(false);
    }

    private static Optional<SectionHeader> find(List<SectionHeader> sections, String name) {
        return sections.stream().filter(s -> s.isNamed(name)).findFirst();
    }

    // ---- PT_INTERP ----

    private Optional<Interpreter> readInterpreter(List<ProgramHeader> segments) throws IOException {
        ProgramHeader interp = single(segments, PT_INTERP, "PT_INTERP");
        if (interp == null) {
            return Optional.empty();
        }
        if (interp.filesz() == 0) {
            throw in.bad(interp.headerOffset(), "PT_INTERP is empty");
        }
        if (interp.filesz() > MAX_INTERP) {
            throw in.bad(interp.headerOffset(), "PT_INTERP is 0x" + Long.toHexString(interp.filesz())
                    + " bytes, more than PATH_MAX (" + MAX_INTERP + ")");
        }
        ByteBuffer bytes = in.read(interp.offset(), interp.filesz(), "PT_INTERP");
        for (int i = 0; i < bytes.limit(); i++) {
            if (bytes.get(i) == 0) {
                byte[] path = new byte[i];
                bytes.get(0, path);
                return Optional.of(new Interpreter(interp, ByteString.of(path)));
            }
        }
        throw in.bad(interp.offset(), "PT_INTERP (p_filesz 0x" + Long.toHexString(interp.filesz())
                + ") has no terminating NUL");
    }

    private ProgramHeader single(List<ProgramHeader> segments, long type, String name) throws BadInputException {
        ProgramHeader found = null;
        for (ProgramHeader p : segments) {
            if (p.type() == type) {
                if (found != null) {
                    throw in.bad(p.headerOffset(), "second " + name + " (segment " + p.index()
                            + "; the first is segment " + found.index() + ")");
                }
                found = p;
            }
        }
        return found;
    }

    // ---- dynamic array ----

    private Optional<DynamicSection> readDynamic(List<ProgramHeader> segments) throws IOException {
        ProgramHeader segment = single(segments, PT_DYNAMIC, "PT_DYNAMIC");
        if (segment == null) {
            return Optional.empty();
        }
        int entsize = elfClass.dynamicEntrySize();
        long capacityLong = segment.filesz() / entsize;
        if (capacityLong == 0) {
            throw in.bad(segment.offset(), "PT_DYNAMIC (p_filesz 0x" + Long.toHexString(segment.filesz())
                    + ") cannot hold a single dynamic entry");
        }
        // filesz was checked against the file size; a dynamic array that fills 2^31 slots is not one.
        if (capacityLong > Integer.MAX_VALUE) {
            throw in.bad(segment.offset(), "PT_DYNAMIC (p_filesz 0x" + Long.toHexString(segment.filesz())
                    + ") is too large to be a dynamic array");
        }
        int capacity = (int) capacityLong;
        List<DynamicEntry> entries = new ArrayList<>();
        int index = 0;
        while (index < capacity) {
            int chunk = Math.min(DYNAMIC_CHUNK_ENTRIES, capacity - index);
            long chunkOffset = segment.offset() + (long) index * entsize;
            ByteBuffer b = in.read(chunkOffset, (long) chunk * entsize, "dynamic section");
            for (int i = 0; i < chunk; i++, index++) {
                int base = i * entsize;
                long tag = is64 ? b.getLong(base) : u32(b, base);
                long value = is64 ? b.getLong(base + 8) : u32(b, base + 4);
                entries.add(new DynamicEntry(index, chunkOffset + base, tag, value));
                if (tag == DT_NULL) {
                    return Optional.of(new DynamicSection(segment, segment.offset(), entsize, capacity, entries));
                }
            }
        }
        throw in.bad(segment.offset(), "dynamic section (" + capacity + " entries) has no DT_NULL terminator");
    }

    private Optional<StringTableReader> dynamicStringTable(DynamicSection dynamic, List<ProgramHeader> segments)
            throws BadInputException {
        Optional<DynamicEntry> strtab = dynamic.last(DT_STRTAB);
        Optional<DynamicEntry> strsz = dynamic.last(DT_STRSZ);
        if (strtab.isEmpty() || strsz.isEmpty()) {
            DynamicEntry user = firstUserOfStrings(dynamic);
            if (user == null) {
                return Optional.empty();
            }
            throw in.bad(user.fileOffset(), tagName(user.tag()) + " needs the dynamic string table, but "
                    + (strtab.isEmpty() ? "DT_STRTAB" : "DT_STRSZ") + " is missing");
        }
        long address = strtab.get().value();
        long size = strsz.get().value();
        long offset = fileOffsetOf(segments, address, size);
        if (offset < 0) {
            throw in.bad(strtab.get().fileOffset(), "DT_STRTAB 0x" + Long.toHexString(address) + " (DT_STRSZ 0x"
                    + Long.toHexString(size) + ") is not inside the file image of any PT_LOAD");
        }
        return Optional.of(new StringTableReader(in, new StringTable(address, offset, size),
                "the dynamic string table"));
    }

    private static DynamicEntry firstUserOfStrings(DynamicSection dynamic) {
        for (DynamicEntry e : dynamic.entries()) {
            if (isStringTag(e.tag()) || e.tag() == DT_VERNEED) {
                return e;
            }
        }
        return null;
    }

    static boolean isStringTag(long tag) {
        return tag == DT_NEEDED || tag == DT_SONAME || tag == DT_RPATH || tag == DT_RUNPATH;
    }

    private List<DynamicString> readDynamicStrings(DynamicSection dynamic, Optional<StringTableReader> strtab)
            throws IOException {
        List<DynamicString> strings = new ArrayList<>();
        for (DynamicEntry e : dynamic.entries()) {
            if (isStringTag(e.tag())) {
                // Present whenever a string tag is: dynamicStringTable() insists.
                ByteString value = strtab.orElseThrow().get(e.value(), tagName(e.tag()), e.fileOffset());
                strings.add(new DynamicString(e, value));
            }
        }
        return List.copyOf(strings);
    }

    // ---- .gnu.version_r ----

    private List<VersionNeed> readVersionNeeds(DynamicSection dynamic, List<ProgramHeader> segments,
            Optional<StringTableReader> strtab) throws IOException {
        Optional<DynamicEntry> verneed = dynamic.last(DT_VERNEED);
        Optional<DynamicEntry> verneednum = dynamic.last(DT_VERNEEDNUM);
        if (verneed.isEmpty() && verneednum.isEmpty()) {
            return List.of();
        }
        if (verneed.isEmpty() || verneednum.isEmpty()) {
            DynamicEntry present = verneed.orElseGet(verneednum::get);
            throw in.bad(present.fileOffset(), tagName(present.tag()) + " without "
                    + (verneed.isEmpty() ? "DT_VERNEED" : "DT_VERNEEDNUM"));
        }
        long count = verneednum.get().value();
        if (count < 0 || count > in.size / VersionNeed.SIZE) {
            throw in.bad(verneednum.get().fileOffset(), "DT_VERNEEDNUM " + Long.toUnsignedString(count)
                    + " entries of " + VersionNeed.SIZE + " bytes cannot fit in the file (size 0x"
                    + Long.toHexString(in.size) + ")");
        }
        StringTableReader strings = strtab.orElseThrow();
        List<VersionNeed> needs = new ArrayList<>((int) Math.min(count, 64));
        long address = verneed.get().value();
        long referrer = verneed.get().fileOffset();
        for (long i = 0; i < count; i++) {
            long offset = mapStructure(segments, address, VersionNeed.SIZE, "version need " + i, referrer);
            ByteBuffer b = in.read(offset, VersionNeed.SIZE, "version need " + i);
            int version = u16(b, 0);
            int auxCount = u16(b, 2);
            long fileIndex = u32(b, 4);
            long auxRel = u32(b, 8);
            long next = u32(b, 12);
            ByteString file = strings.get(fileIndex, "version need " + i + " vn_file", offset);
            List<VersionNeedAux> aux = new ArrayList<>(Math.min(auxCount, 64));
            if (auxCount > 0) {
                if (auxRel < VersionNeed.SIZE) {
                    throw in.bad(offset, "version need " + i + ": vn_aux 0x" + Long.toHexString(auxRel)
                            + " overlaps the entry itself");
                }
                long auxAddress = addAddress(address, auxRel, "version need " + i + " vn_aux", offset);
                long auxReferrer = offset;
                for (int j = 0; j < auxCount; j++) {
                    String what = "version need " + i + " aux " + j;
                    long auxOffset = mapStructure(segments, auxAddress, VersionNeedAux.SIZE, what, auxReferrer);
                    auxReferrer = auxOffset;
                    ByteBuffer a = in.read(auxOffset, VersionNeedAux.SIZE, what);
                    long nameIndex = u32(a, 8);
                    long auxNext = u32(a, 12);
                    aux.add(new VersionNeedAux(auxOffset, u32(a, 0), u16(a, 4), u16(a, 6), nameIndex,
                            strings.get(nameIndex, what + " vna_name", auxOffset), auxNext));
                    if (j + 1 < auxCount) {
                        if (auxNext < VersionNeedAux.SIZE) {
                            throw in.bad(auxOffset, what + ": vna_next 0x" + Long.toHexString(auxNext) + " but vn_cnt is "
                                    + auxCount + " (the chain must move forward by at least "
                                    + VersionNeedAux.SIZE + " bytes)");
                        }
                        auxAddress = addAddress(auxAddress, auxNext, what + " vna_next", auxOffset);
                    }
                }
            }
            needs.add(new VersionNeed(offset, version, auxCount, fileIndex, file, auxRel, next, aux));
            if (i + 1 < count) {
                if (next < VersionNeed.SIZE) {
                    throw in.bad(offset, "version need " + i + ": vn_next 0x" + Long.toHexString(next)
                            + " but DT_VERNEEDNUM is " + count + " (the chain must move forward by at least "
                            + VersionNeed.SIZE + " bytes)");
                }
                address = addAddress(address, next, "version need " + i + " vn_next", offset);
                referrer = offset;
            }
        }
        return List.copyOf(needs);
    }

    /** {@code address + delta} as unsigned addresses, or bad input if that wraps around. */
    private long addAddress(long address, long delta, String what, long referrer) throws BadInputException {
        long sum = address + delta;
        long limit = is64 ? -1L : 0xffffffffL;
        if (Long.compareUnsigned(sum, address) < 0 || Long.compareUnsigned(sum, limit) > 0) {
            throw in.bad(referrer, what + " 0x" + Long.toHexString(delta) + " from address 0x"
                    + Long.toHexString(address) + " wraps around the address space");
        }
        return sum;
    }

    private long mapStructure(List<ProgramHeader> segments, long address, long size, String what, long referrer)
            throws BadInputException {
        long offset = fileOffsetOf(segments, address, size);
        if (offset < 0) {
            throw in.bad(referrer, what + " at address 0x" + Long.toHexString(address)
                    + " is not inside the file image of any PT_LOAD");
        }
        return offset;
    }

    // ---- helpers ----

    /** The file offset of {@code size} bytes at virtual {@code address}, or -1 if no PT_LOAD holds them. */
    static long fileOffsetOf(List<ProgramHeader> segments, long address, long size) {
        for (ProgramHeader p : segments) {
            if (p.isLoad() && p.fileImageContains(address, size)) {
                return p.offset() + (address - p.vaddr());
            }
        }
        return -1;
    }

    private void checkRange(long referrer, long offset, long length, String what) throws BadInputException {
        if (!in.inBounds(offset, length)) {
            throw in.bad(referrer, what + " runs past end of file (size 0x" + Long.toHexString(in.size) + ")");
        }
    }

    static String tagName(long tag) {
        if (tag == DT_NEEDED) return "DT_NEEDED";
        if (tag == DT_SONAME) return "DT_SONAME";
        if (tag == DT_RPATH) return "DT_RPATH";
        if (tag == DT_RUNPATH) return "DT_RUNPATH";
        if (tag == DT_VERNEED) return "DT_VERNEED";
        if (tag == DT_VERNEEDNUM) return "DT_VERNEEDNUM";
        if (tag == DT_STRTAB) return "DT_STRTAB";
        if (tag == DT_STRSZ) return "DT_STRSZ";
        return "dynamic tag 0x" + Long.toHexString(tag);
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    private long word(ByteBuffer b, int at) {
        return is64 ? b.getLong(at) : u32(b, at);
    }
}
