package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides where every structure of an edited file goes, once, and produces the {@link ElfPatch}.
 *
 * <h2>Strategy</h2>
 *
 * <ul>
 *   <li><b>In place first.</b> The dynamic string table, the dynamic array and the interpreter
 *       string are rewritten where they are whenever the result fits: new strings reuse existing
 *       ones (also as tails), then bytes no user needs any more ({@link StringTablePlan}); the
 *       dynamic array may use the spare DT_NULL slots after its terminator.
 *   <li><b>Otherwise one new segment.</b> What does not fit moves to a single new PT_LOAD placed
 *       after the highest address any segment uses, at the end of the file, with
 *       {@code p_offset ≡ p_vaddr (mod page size)} for the machine (64 KiB aarch64, ppc64, mips,
 *       loongarch; 8 KiB sparc; 4 KiB otherwise). The file grows by the moved data plus less than
 *       64 bytes of alignment: the offset is chosen first and the address follows it, so no file
 *       padding up to a page boundary is needed. The segment is writable when it holds
 *       {@code .dynamic}, because the loader writes into it (DT_DEBUG, relocated d_ptr values), and
 *       read-only otherwise; it lies beyond PT_GNU_RELRO, so RELRO never makes it read-only. Its
 *       address keeps clear of the largest dynamic symbol's size past the last segment, where
 *       eu-elflint would otherwise see text relocations that are not there.
 *   <li><b>The program header table grows in place.</b> A new PT_LOAD needs one more program
 *       header. Rather than moving the table (old kernels compute AT_PHDR as the first PT_LOAD's
 *       {@code vaddr - offset} plus {@code e_phoff}, so a moved table must keep that difference,
 *       which costs file padding up to the highest address, .bss included), the table is extended
 *       over the sections right behind it: {@code .interp} and the notes (and, after gold or lld,
 *       {@code .dynsym}, hash or version sections) move as one block, keeping their alignment,
 *       into the new segment. Every reference follows: section headers, PT_INTERP, PT_NOTE,
 *       PT_GNU_PROPERTY, DT_HASH/DT_GNU_HASH/DT_SYMTAB/DT_VERSYM/DT_VERNEED/DT_VERDEF, and the
 *       value of every symbol defined in a moved section. PT_PHDR grows with the table and stays
 *       inside the first PT_LOAD, whose {@code vaddr - offset} is untouched. A PT_NULL slot, when
 *       there is one, is used instead. Anything else behind the table (code, a relocation table,
 *       no section headers to tell) makes the edit refused rather than guessed.
 *   <li><b>A second edit reuses the segment.</b> The segment starts with a 16-byte marker
 *       ({@value #MARKER}). When the last PT_LOAD starts with it, the structures the editor owns
 *       in it (interpreter, string table, dynamic array) are laid out again behind the block moved
 *       for the program headers, and the segment grows or shrinks at the end of the file: a file
 *       edited twice is no bigger than one edited once to the same result.
 *   <li><b>Nothing stale is left.</b> A moved table's old bytes, a moved interpreter's old bytes
 *       and the old block behind the program headers are zeroed; in a table edited in place the
 *       strings no user covers any more are zeroed, while strings other users still point into
 *       (symbol names, version names, tails shared with a kept string) stay.
 * </ul>
 *
 * <p>One instance plans one file; the fields below hold the state of one attempt (first reusing
 * an earlier segment, if there is one, then afresh).
 */
final class ElfLayout {
    static final String MARKER = "closure-wrap seg";
    static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);
    /** New blocks are aligned to this in the file, and so (congruence) in memory. */
    private static final int BLOCK_ALIGN = 64;

    private static final long DT_PREINIT_ARRAY = 32;
    private static final Set<Long> MOVABLE_POINTER_TAGS =
            Set.of(DT_HASH, DT_GNU_HASH, DT_SYMTAB, DT_VERSYM, DT_VERNEED, DT_VERDEF);
    private static final Set<Long> POINTER_TAGS = Set.of(DT_PLTGOT, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA,
            DT_INIT, DT_FINI, DT_REL, DT_JMPREL, DT_INIT_ARRAY, DT_FINI_ARRAY, DT_PREINIT_ARRAY, DT_RELR,
            DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERNEED);

    private final ElfFile file;
    private final ElfInput in;
    private final ElfCodec codec;
    private final ElfHeader header;
    private final DynamicSection dynamic;

    // State of one attempt.
    private List<ProgramHeader> segments;
    private List<SectionHeader> sections;
    private List<ElfPatch.Write> writes;
    private byte[] content;
    private long segmentOffset;
    private long segmentAddress;
    private MovedBlock block;
    private final Map<Integer, Long> sectionDelta = new HashMap<>();
    private ProgramHeader own;
    private long fixedEnd;
    private StringTable table;
    private int dynstrIndex;
    private int dynamicIndex;
    private int interpIndex;
    private int verneedIndex;
    private Optional<Interpreter> interpreter;
    private ProgramHeader interpSegment;
    private List<Integer> kept;
    private Set<Integer> droppedVersions;
    private boolean dropVersionSection;
    private boolean dropVersym;
    private List<Planned> planned;
    private DynamicStringUsers users;
    private List<Long> fixedStrings;
    private List<Long> editedStrings;
    private Set<ByteString> wantedStrings;
    private byte[] tableBytes;
    private StringTablePlan strings;
    private boolean tableMoves;
    private int dynamicCount;
    private boolean dynamicMoves;
    private ByteString newInterpreter;
    private boolean interpChanged;
    private boolean interpMoves;
    private long interpPos;
    private long tablePos;
    private long dynamicPos;
    private long strtab;
    private long strsz;

    /** The file range moved out of the way of the growing program header table. */
    private record MovedBlock(long start, long end, long address, long newOffset, long delta, Set<Integer> sections) {
        boolean contains(long offset) {
            return offset >= start && offset < end;
        }

        boolean containsAddress(long a) {
            return a >= address && a < address + (end - start);
        }
    }

    /** A dynamic entry of the result; {@code string} is set for string-valued tags. */
    private record Planned(long tag, long value, ByteString string) {}

    ElfLayout(ElfFile file, ElfInput in) {
        this.file = file;
        this.in = in;
        this.codec = new ElfCodec(file.elfClass(), file.data());
        this.header = file.header();
        this.dynamic = file.dynamic().orElse(null);
    }

    /** Refuses the kinds of file whose dynamic information must not be touched, saying why. */
    static void requireEditable(ElfFile f) throws UnsupportedInputException {
        String reason = switch (f.kind()) {
            case DYNAMIC_EXECUTABLE, PIE_EXECUTABLE, SHARED_LIBRARY -> null;
            case STATIC_EXECUTABLE -> "static executable: no dynamic loader reads it, there is nothing to edit";
            case STATIC_PIE -> "static-pie executable: it finds its .dynamic relative to its own code, "
                    + "so moving it would crash the program";
            case LOADER -> "the dynamic loader (or musl's libc.so) finds its .dynamic relative to its own code "
                    + "and is never edited";
            case DEBUG_FILE -> "separate debug file: its sections hold no code or data";
            case RELOCATABLE -> "relocatable object (ET_REL): the linker reads it, not the loader";
            case CORE -> "core dump";
            case OTHER -> "ELF type " + f.header().typeName() + " is neither an executable nor a shared library";
        };
        if (reason == null && f.dynamic().isEmpty()) {
            reason = "no dynamic section (PT_DYNAMIC)";
        }
        if (reason != null) {
            throw new UnsupportedInputException(f.name(), reason);
        }
    }

    ElfPatch plan(EditModel model) throws IOException {
        if (model.unchanged()) {
            return new ElfPatch(file.fileSize(), file.fileSize(), List.of());
        }
        ProgramHeader earlier = ownSegment();
        if (earlier != null) {
            ElfPatch reused = attempt(model, earlier);
            if (reused != null) {
                return reused;
            }
        }
        return attempt(model, null);
    }

    /** The segment an earlier edit added: the last PT_LOAD, starting with the marker. */
    private ProgramHeader ownSegment() throws IOException {
        ProgramHeader last = null;
        for (ProgramHeader p : file.programHeaders()) {
            if (p.isLoad() && (last == null || Long.compareUnsigned(p.vaddr(), last.vaddr()) > 0)) {
                last = p;
            }
        }
        if (last == null || last.filesz() < MARKER_BYTES.length || last.filesz() != last.memsz()) {
            return null;
        }
        ByteBuffer b = in.read(last.offset(), MARKER_BYTES.length, "segment " + last.index());
        byte[] start = new byte[MARKER_BYTES.length];
        b.get(start);
        return Arrays.equals(start, MARKER_BYTES) ? last : null;
    }

    // ---- one attempt ----

    /** One layout; with {@code own}, reusing that segment, or null when it cannot hold the result. */
    private ElfPatch attempt(EditModel model, ProgramHeader ownSegment) throws IOException {
        segments = new ArrayList<>(file.programHeaders());
        sections = new ArrayList<>(file.sectionHeaders());
        writes = new ArrayList<>();
        content = null;
        block = null;
        sectionDelta.clear();
        own = ownSegment;
        interpPos = -1;
        tablePos = -1;
        dynamicPos = -1;
        findSections();
        fixedEnd = own == null ? 0 : fixedEnd(own, Set.of(dynstrIndex, dynamicIndex, interpIndex));

        planVersionNeeds(model);
        planned = plannedEntries(model, dropVersionSection, dropVersym);
        planStrings(model);
        decideMoves(model);
        if (!layOutSegment()) {
            return null;
        }
        long[][] entries = finalEntries();
        updateHeaders();
        writeStructures(model, entries);
        adjustSymbols(users);
        return finish();
    }

    private void findSections() throws UnsupportedInputException {
        StringTable t = file.dynamicStringTable().orElseThrow(() -> new UnsupportedInputException(file.name(),
                "the dynamic section has no string table (DT_STRTAB)"));
        table = t;
        dynstrIndex = sectionIndex(s -> s.type() == SHT_STRTAB && (s.flags() & SHF_ALLOC) != 0 && s.addr() == t.address());
        dynamicIndex = sectionIndex(s -> s.type() == SHT_DYNAMIC);
        interpreter = file.interpreter();
        interpSegment = interpreter.map(Interpreter::segment).orElse(null);
        interpIndex = interpSegment == null ? -1
                : sectionIndex(s -> s.isNamed(".interp") && s.offset() == interpSegment.offset());
        verneedIndex = sectionIndex(s -> s.type() == SHT_GNU_VERNEED);
    }

    /** Which version needs stay, which version indices go with the dropped ones. */
    private void planVersionNeeds(EditModel model) {
        List<VersionNeed> needs = file.versionNeeds();
        kept = new ArrayList<>();
        droppedVersions = new HashSet<>();
        for (int i = 0; i < needs.size(); i++) {
            if (model.versionNeedDropped(i)) {
                needs.get(i).aux().forEach(a -> droppedVersions.add(a.other() & 0x7fff));
            } else {
                kept.add(i);
            }
        }
        dropVersionSection = !needs.isEmpty() && kept.isEmpty();
        dropVersym = dropVersionSection && dynamic.value(DT_VERDEF).isEmpty();
    }

    /** The strings the result needs, who else uses the table, and where the strings go. */
    private void planStrings(EditModel model) throws IOException {
        users = DynamicStringUsers.collect(file, in, dynstrIndex);
        fixedStrings = new ArrayList<>(users.references);
        editedStrings = new ArrayList<>();
        for (DynamicString s : file.dynamicStrings()) {
            editedStrings.add(s.entry().value());
        }
        wantedStrings = new LinkedHashSet<>();
        for (Planned p : planned) {
            if (p.string() != null) {
                wantedStrings.add(p.string());
            }
        }
        List<VersionNeed> needs = file.versionNeeds();
        for (int i = 0; i < needs.size(); i++) {
            VersionNeed need = needs.get(i);
            editedStrings.add(need.fileNameIndex());
            if (model.versionNeedDropped(i)) {
                need.aux().forEach(a -> editedStrings.add(a.nameIndex()));
            } else {
                need.aux().forEach(a -> fixedStrings.add(a.nameIndex()));
                wantedStrings.add(model.versionNeedFiles.get(i));
            }
        }
        tableBytes = bytes(in.read(table.fileOffset(), table.size(), "the dynamic string table"));
        strings = inTail(table.fileOffset()) ? null : placeStrings(false);
        tableMoves = strings == null;
        if (tableMoves) {
            strings = placeStrings(true);
        }
    }

    private StringTablePlan placeStrings(boolean mayGrow) {
        return StringTablePlan.place(tableBytes, fixedStrings, editedStrings, wantedStrings, users.complete(), mayGrow);
    }

    /** Whether the dynamic array and the interpreter must move. */
    private void decideMoves(EditModel model) throws UnsupportedInputException {
        dynamicCount = planned.size() + 1;
        dynamicMoves = inTail(dynamic.fileOffset()) || dynamicCount > dynamic.capacity();
        newInterpreter = model.interpreter.orElse(null);
        interpChanged = interpreter.isPresent() && !interpreter.get().path().equals(newInterpreter);
        interpMoves = interpSegment != null && (inTail(interpSegment.offset())
                || (interpChanged && newInterpreter.length() + 1 > interpSegment.filesz()));
        if (dynamicMoves && (header.machine() == EM_MIPS || header.machine() == 10)) {
            throw new UnsupportedInputException(file.name(), "the dynamic section must grow, and MIPS's "
                    + "DT_MIPS_RLD_MAP_REL is relative to where it is");
        }
    }

    /**
     * Builds the segment's content: reused (its fixed part) or new (marker, block moved for the
     * program headers), then what moves. False if a reused segment cannot hold it.
     */
    private boolean layOutSegment() throws IOException {
        if (own != null) {
            segmentOffset = own.offset();
            segmentAddress = own.vaddr();
            content = bytes(in.read(own.offset(), fixedEnd, "segment " + own.index()));
        } else if (tableMoves || dynamicMoves || interpMoves) {
            createSegment(dynstrIndex, dynamicIndex, largestDynamicSymbol(users));
            // The block moved for the program headers may have taken the table or the dynamic array
            // along; they are then laid out afresh like any moved structure.
            if (block != null && block.contains(table.fileOffset()) && !tableMoves) {
                tableMoves = true;
                strings = placeStrings(true);
            }
            if (block != null && block.contains(dynamic.fileOffset())) {
                dynamicMoves = true;
            }
        }
        if (content == null) {
            return true;
        }
        ContentBuilder b = new ContentBuilder(content);
        if (interpMoves) {
            interpPos = b.append(newInterpreter.concat(ByteString.of(new byte[1])).toByteArray(), 1);
        }
        if (tableMoves) {
            tablePos = b.append(strings.bytes, 1);
        }
        if (dynamicMoves) {
            dynamicPos = b.append(new byte[dynamicCount * file.elfClass().dynamicEntrySize()], codec.wordSize());
        }
        content = b.bytes();
        // Something follows a reused segment that must grow (strip put the section headers there): start afresh.
        return own == null || content.length <= own.filesz() || own.offset() + own.filesz() == file.fileSize();
    }

    /** The dynamic entries with every string index, address and count final. */
    private long[][] finalEntries() {
        strtab = tableMoves ? segmentAddress + tablePos : table.address();
        strsz = tableMoves ? strings.bytes.length : table.size();
        List<VersionNeed> needs = file.versionNeeds();
        long verneedAddress = kept.isEmpty() ? 0 : dynamic.value(DT_VERNEED).orElseThrow()
                + (needs.get(kept.get(0)).fileOffset() - needs.get(0).fileOffset());
        long[][] entries = new long[planned.size()][];
        for (int i = 0; i < planned.size(); i++) {
            Planned p = planned.get(i);
            long value = p.value();
            if (p.string() != null) {
                value = strings.index.get(p.string());
            } else if (p.tag() == DT_STRTAB) {
                value = strtab;
            } else if (p.tag() == DT_STRSZ) {
                value = strsz;
            } else if (p.tag() == DT_VERNEED) {
                value = verneedAddress;
            } else if (p.tag() == DT_VERNEEDNUM) {
                value = kept.size();
            }
            if (block != null && MOVABLE_POINTER_TAGS.contains(p.tag()) && block.containsAddress(value)) {
                value += block.delta();
            }
            entries[i] = new long[] {p.tag(), value};
        }
        return entries;
    }

    /** Program and section headers of what moved, and the segment's own PT_LOAD. */
    private void updateHeaders() {
        if (interpMoves) {
            long address = segmentAddress + interpPos;
            long offset = segmentOffset + interpPos;
            long size = newInterpreter.length() + 1;
            replaceSegment(interpSegment.index(), p -> new ProgramHeader(p.index(), p.headerOffset(), p.type(),
                    p.flags(), offset, address, address, size, size, p.align()));
            if (interpIndex >= 0) {
                moveSection(interpIndex, offset, address, size);
                sectionDelta.put(interpIndex, address - interpSegment.vaddr());
            }
        }
        if (dynamicMoves) {
            long address = segmentAddress + dynamicPos;
            long offset = segmentOffset + dynamicPos;
            long size = (long) dynamicCount * file.elfClass().dynamicEntrySize();
            replaceSegment(dynamic.segment().index(), p -> new ProgramHeader(p.index(), p.headerOffset(), p.type(),
                    p.flags(), offset, address, address, size, size, p.align()));
            if (dynamicIndex >= 0) {
                moveSection(dynamicIndex, offset, address, size);
                sectionDelta.put(dynamicIndex, address - dynamic.segment().vaddr());
                dropWriteFromEmptiedSegments(dynamic.segment().vaddr());
            }
        }
        if (tableMoves && dynstrIndex >= 0) {
            moveSection(dynstrIndex, segmentOffset + tablePos, strtab, strsz);
            sectionDelta.put(dynstrIndex, strtab - table.address());
        }
        if (verneedIndex >= 0 && kept.size() != file.versionNeeds().size()) {
            SectionHeader s = sections.get(verneedIndex);
            sections.set(verneedIndex, new SectionHeader(s.index(), s.headerOffset(), s.nameIndex(), s.name(),
                    s.type(), s.flags(), s.addr(), s.offset(), s.size(), s.link(), kept.size(), s.addralign(),
                    s.entsize()));
        }
        if (content != null) {
            // Writable only when it holds .dynamic: eu-elflint flags a writable segment without writable sections.
            boolean holdsDynamic = dynamicMoves || (own != null && dynamic.fileOffset() >= own.offset()
                    && dynamic.fileOffset() < own.offset() + fixedEnd);
            placeSegment(own, content.length, holdsDynamic ? PF_R | PF_W : PF_R);
        }
    }

    /** The writes: old block cleared, headers, then each edited or moved structure. */
    private void writeStructures(EditModel model, long[][] entries) throws IOException {
        if (block != null) {
            put(block.start(), new byte[(int) (block.end() - block.start())]);
        }
        writeProgramHeaders();
        for (int i = 0; i < sections.size(); i++) {
            if (!sections.get(i).equals(file.sectionHeaders().get(i))) {
                put(sections.get(i).headerOffset(), codec.sectionHeader(sections.get(i)));
            }
        }
        if (tableMoves) {
            if (!inTail(table.fileOffset())) {
                put(translate(table.fileOffset()), new byte[(int) table.size()]);
            }
            System.arraycopy(strings.bytes, 0, content, (int) tablePos, strings.bytes.length);
        } else {
            put(translate(table.fileOffset()), strings.bytes);
        }
        if (dynamicMoves) {
            byte[] array = codec.dynamicArray(entries, dynamicCount);
            System.arraycopy(array, 0, content, (int) dynamicPos, array.length);
        } else {
            put(translate(dynamic.fileOffset()), codec.dynamicArray(entries, dynamic.capacity()));
        }
        if (interpMoves && !inTail(interpSegment.offset())) {
            put(translate(interpSegment.offset()), new byte[(int) interpSegment.filesz()]);
        } else if (interpChanged && !interpMoves) {
            byte[] path = Arrays.copyOf(newInterpreter.toByteArray(), (int) interpSegment.filesz());
            put(translate(interpSegment.offset()), path);
        }
        writeVersionNeeds(model, kept, strings);
        if (!droppedVersions.isEmpty() && !dropVersym) {
            writeVersionIndices(users, droppedVersions);
        }
    }

    /** The segment's content as the last write, and the new file size. */
    private ElfPatch finish() throws IOException {
        long newSize = file.fileSize();
        if (content != null) {
            boolean atEnd = own == null || own.offset() + own.filesz() == file.fileSize();
            if (own != null && !atEnd && content.length < own.filesz()) {
                content = Arrays.copyOf(content, (int) own.filesz()); // clear the rest of the old segment
            }
            newSize = atEnd ? segmentOffset + content.length : file.fileSize();
            writes.add(new ElfPatch.Write(segmentOffset, content));
        }
        return new ElfPatch(file.fileSize(), newSize, effective(writes, newSize));
    }

    // ---- the dynamic entries of the result ----

    private List<Planned> plannedEntries(EditModel model, boolean dropVersionSection, boolean dropVersym) {
        List<Planned> out = new ArrayList<>();
        boolean neededDone = false;
        boolean sonameDone = false;
        boolean searchDone = false;
        List<DynamicEntry> entries = dynamic.entries();
        for (DynamicEntry e : entries.subList(0, entries.size() - 1)) {
            long t = e.tag();
            if (t == DT_NEEDED) {
                if (!neededDone) {
                    model.needed.forEach(n -> out.add(new Planned(DT_NEEDED, 0, n)));
                    neededDone = true;
                }
            } else if (t == DT_SONAME) {
                if (!sonameDone) {
                    model.soname.forEach(s -> out.add(new Planned(s.tag(), 0, s.value())));
                    sonameDone = true;
                }
            } else if (t == DT_RPATH || t == DT_RUNPATH) {
                if (!searchDone) {
                    model.searchPath.forEach(s -> out.add(new Planned(s.tag(), 0, s.value())));
                    searchDone = true;
                }
            } else if ((t == DT_VERNEED || t == DT_VERNEEDNUM) && dropVersionSection) {
                // No version needs left: glibc must not look for any.
            } else if (t == DT_VERSYM && dropVersym) {
                // Without version needs or definitions glibc has no version array to index.
            } else {
                out.add(new Planned(t, e.value(), null));
            }
        }
        if (!neededDone) {
            int at = 0;
            for (ByteString n : model.needed) {
                out.add(at++, new Planned(DT_NEEDED, 0, n));
            }
        }
        if (!sonameDone) {
            int at = afterLast(out, Set.of(DT_NEEDED));
            for (EditModel.StringEntry s : model.soname) {
                out.add(at++, new Planned(s.tag(), 0, s.value()));
            }
        }
        if (!searchDone) {
            int at = afterLast(out, Set.of(DT_NEEDED, DT_SONAME));
            for (EditModel.StringEntry s : model.searchPath) {
                out.add(at++, new Planned(s.tag(), 0, s.value()));
            }
        }
        return out;
    }

    private static int afterLast(List<Planned> entries, Set<Long> tags) {
        int at = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (tags.contains(entries.get(i).tag())) {
                at = i + 1;
            }
        }
        return at;
    }

    // ---- the new segment ----

    /** Picks the new segment's place and, if needed, frees a program header slot for it. */
    private void createSegment(int dynstrIndex, int dynamicIndex, long symbolReach) throws IOException {
        int page = file.pageSize();
        long maxEnd = 0;
        for (ProgramHeader p : file.programHeaders()) {
            if (p.isLoad()) {
                maxEnd = Math.max(maxEnd, Math.addExact(p.vaddr(), p.memsz()));
            }
        }
        segmentOffset = alignUp(file.fileSize(), BLOCK_ALIGN);
        // eu-elflint counts a relocation as writing wherever r_offset plus its symbol's size reaches;
        // keeping that reach clear of the segment keeps it from reporting text relocations that are not.
        segmentAddress = Math.addExact(alignUp(Math.addExact(maxEnd, symbolReach), page), segmentOffset % page);
        if (!codec.fitsWord(segmentAddress + (1L << 24))) {
            throw new UnsupportedInputException(file.name(), "no address space left above 0x"
                    + Long.toHexString(maxEnd) + " for a new segment");
        }
        content = MARKER_BYTES.clone();
        boolean hasNullSlot = file.programHeaders().stream().anyMatch(p -> p.type() == PT_NULL);
        if (!hasNullSlot) {
            growProgramHeaderTable(dynstrIndex, dynamicIndex);
        }
    }

    /**
     * Makes room for one more program header behind the table by moving what follows it into the
     * new segment (see the class comment), or refuses.
     */
    private void growProgramHeaderTable(int dynstrIndex, int dynamicIndex) throws IOException {
        long entsize = file.elfClass().programHeaderSize();
        long phoff = header.phoff();
        long phEnd = phoff + file.programHeaders().size() * entsize;
        if (file.programHeaders().size() + 1 >= PN_XNUM) {
            throw cannotGrow("it already has " + file.programHeaders().size() + " entries");
        }
        if (file.sectionHeaders().isEmpty()) {
            throw cannotGrow("without section headers, what follows the table cannot be known");
        }
        ProgramHeader holder = null;
        for (ProgramHeader p : file.programHeaders()) {
            if (p.isLoad() && p.offset() <= phoff && phEnd <= p.offset() + p.filesz()) {
                holder = p;
                break;
            }
        }
        if (holder == null) {
            throw cannotGrow("the table is not inside a PT_LOAD");
        }
        long start = phEnd;
        long end = phEnd + entsize;
        Set<Integer> moved = new LinkedHashSet<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (SectionHeader s : file.sectionHeaders()) {
                if (!s.hasFileImage() || s.size() == 0 || !overlaps(s.offset(), s.size(), start, end)) {
                    continue;
                }
                if (!movable(s) && s.index() != dynstrIndex && s.index() != dynamicIndex) {
                    throw cannotGrow("section " + s.name() + " follows it and cannot be moved");
                }
                if (s.offset() < start) {
                    throw cannotGrow("section " + s.name() + " overlaps it");
                }
                if (moved.add(s.index()) && s.offset() + s.size() > end) {
                    end = s.offset() + s.size();
                    changed = true;
                }
            }
            for (ProgramHeader p : file.programHeaders()) {
                if ((p.type() == PT_NOTE || p.type() == PT_GNU_PROPERTY || p.type() == PT_INTERP)
                        && p.filesz() > 0 && overlaps(p.offset(), p.filesz(), start, end)) {
                    if (p.offset() < start) {
                        throw cannotGrow(p.typeName() + " segment " + p.index() + " overlaps it");
                    }
                    if (p.offset() + p.filesz() > end) {
                        end = p.offset() + p.filesz();
                        changed = true;
                    }
                }
            }
        }
        if (end > holder.offset() + holder.filesz()) {
            throw cannotGrow("what follows it runs past the end of its PT_LOAD");
        }
        long address = holder.vaddr() + (start - holder.offset());
        for (ProgramHeader p : file.programHeaders()) {
            boolean carried = p.type() == PT_NOTE || p.type() == PT_GNU_PROPERTY || p.type() == PT_INTERP
                    || p.type() == PT_DYNAMIC;
            if (p.index() != holder.index() && !carried && p.type() != PT_PHDR && p.filesz() > 0
                    && overlaps(p.offset(), p.filesz(), start, end)) {
                throw cannotGrow(p.typeName() + " segment " + p.index() + " lies behind it");
            }
        }
        if (Long.compareUnsigned(header.entry() - address, end - start) < 0) {
            throw cannotGrow("the entry point lies behind it");
        }
        if (header.shoff() != 0 && overlaps(header.shoff(), 1, start, end)) {
            throw cannotGrow("the section header table lies behind it");
        }
        for (DynamicEntry e : dynamic.entries()) {
            boolean pointer = POINTER_TAGS.contains(e.tag()) || (e.tag() >= 0x6ffffe00L && e.tag() <= 0x6ffffeffL);
            if (pointer && Long.compareUnsigned(e.value() - address, end - start) < 0
                    && !MOVABLE_POINTER_TAGS.contains(e.tag()) && e.tag() != DT_STRTAB) {
                throw cannotGrow("dynamic entry " + ElfReader.tagName(e.tag()) + " points behind it");
            }
        }
        if (moved.isEmpty() && end == phEnd + entsize) {
            return; // Only padding behind the table: nothing to move.
        }
        long alignment = BLOCK_ALIGN;
        for (int index : moved) {
            long a = file.sectionHeaders().get(index).addralign();
            if (a > alignment && Long.bitCount(a) == 1 && a <= file.pageSize()) {
                alignment = a;
            }
        }
        ContentBuilder b = new ContentBuilder(content);
        long position = b.appendCongruent(bytes(in.read(start, end - start, "block behind the program headers")),
                segmentOffset, start, alignment);
        content = b.bytes();
        long newAddress = segmentAddress + position;
        block = new MovedBlock(start, end, address, segmentOffset + position, newAddress - address, moved);
        for (int index : moved) {
            SectionHeader s = sections.get(index);
            sections.set(index, new SectionHeader(s.index(), s.headerOffset(), s.nameIndex(), s.name(), s.type(),
                    s.flags(), s.addr() + block.delta(), translate(s.offset()), s.size(), s.link(), s.info(),
                    s.addralign(), s.entsize()));
            sectionDelta.put(index, block.delta());
        }
        for (int i = 0; i < segments.size(); i++) {
            ProgramHeader p = segments.get(i);
            if ((p.type() == PT_NOTE || p.type() == PT_GNU_PROPERTY || p.type() == PT_INTERP) && block.contains(p.offset())) {
                segments.set(i, new ProgramHeader(p.index(), p.headerOffset(), p.type(), p.flags(), translate(p.offset()),
                        p.vaddr() + block.delta(), p.paddr() + block.delta(), p.filesz(), p.memsz(), p.align()));
            }
        }
    }

    /** The largest st_size in .dynsym (capped): how far eu-elflint looks past a relocation's offset. */
    private long largestDynamicSymbol(DynamicStringUsers users) throws IOException {
        boolean is64 = file.elfClass() == ElfClass.ELF64;
        int size = is64 ? 24 : 16;
        long largest = 0;
        for (DynamicStringUsers.SymbolTable t : users.symbolTables) {
            boolean dynamicTable = t.sectionIndex() < 0 || sections.get(t.sectionIndex()).type() == SHT_DYNSYM;
            if (!dynamicTable) {
                continue;
            }
            ByteBuffer symbols = in.read(t.fileOffset(), t.count() * size, "symbol table");
            for (int i = 0; i < t.count(); i++) {
                long st = is64 ? symbols.getLong(i * size + 16) : symbols.getInt(i * size + 8) & 0xffffffffL;
                if (Long.compareUnsigned(st, largest) > 0) {
                    largest = st;
                }
            }
        }
        return Long.compareUnsigned(largest, 1L << 28) > 0 ? 1L << 28 : largest;
    }

    private boolean movable(SectionHeader s) {
        if ((s.flags() & SHF_ALLOC) == 0) {
            return false;
        }
        long t = s.type();
        return t == SHT_NOTE || t == SHT_HASH || t == SHT_GNU_HASH || t == SHT_DYNSYM || t == SHT_GNU_VERSYM
                || t == SHT_GNU_VERNEED || t == SHT_GNU_VERDEF || (t == SHT_PROGBITS && s.isNamed(".interp"));
    }

    private UnsupportedInputException cannotGrow(String why) {
        return new UnsupportedInputException(file.name(),
                "the program header table must grow by one entry for a new segment, but " + why);
    }

    /** Sets the new or reused PT_LOAD, after the last PT_LOAD so that PT_LOADs stay sorted by address. */
    private void placeSegment(ProgramHeader own, long size, int flags) {
        if (own != null) {
            replaceSegment(own.index(), p -> new ProgramHeader(p.index(), p.headerOffset(), p.type(), flags,
                    p.offset(), p.vaddr(), p.paddr(), size, size, p.align()));
            return;
        }
        // Index MAX_VALUE: not one of the original headers, which replaceSegment finds by index.
        ProgramHeader load = new ProgramHeader(Integer.MAX_VALUE, 0, PT_LOAD, flags, segmentOffset, segmentAddress,
                segmentAddress, size, size, file.pageSize());
        int nullSlot = -1;
        int lastLoad = -1;
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).type() == PT_NULL && nullSlot < 0) {
                nullSlot = i;
            }
            if (segments.get(i).isLoad()) {
                lastLoad = i;
            }
        }
        if (nullSlot >= 0) {
            segments.remove(nullSlot);
            if (nullSlot <= lastLoad) {
                lastLoad--;
            }
        } else {
            long entsize = file.elfClass().programHeaderSize();
            for (int i = 0; i < segments.size(); i++) {
                ProgramHeader p = segments.get(i);
                if (p.type() == PT_PHDR) {
                    segments.set(i, new ProgramHeader(p.index(), p.headerOffset(), p.type(), p.flags(), p.offset(),
                            p.vaddr(), p.paddr(), p.filesz() + entsize, p.memsz() + entsize, p.align()));
                }
            }
        }
        segments.add(lastLoad + 1, load);
    }

    /**
     * The PT_LOAD that held the old .dynamic keeps PF_W only if a writable section remains in it:
     * when .dynamic was its only one (a segment an earlier patchelf run added), nothing writes
     * there any more, and eu-elflint rightly flags a writable segment without writable sections.
     */
    private void dropWriteFromEmptiedSegments(long oldDynamicAddress) {
        for (int i = 0; i < segments.size(); i++) {
            ProgramHeader p = segments.get(i);
            if (!p.isLoad() || (p.flags() & PF_W) == 0 || p.index() == Integer.MAX_VALUE
                    || Long.compareUnsigned(oldDynamicAddress - p.vaddr(), p.memsz()) >= 0) {
                continue;
            }
            boolean writableLeft = false;
            for (SectionHeader s : sections) {
                boolean inside = s.size() > 0 && (s.flags() & SHF_ALLOC) != 0
                        && Long.compareUnsigned(s.addr() - p.vaddr(), p.memsz()) < 0;
                writableLeft |= inside && (s.flags() & SHF_WRITE) != 0;
            }
            if (!writableLeft && !sections.isEmpty()) {
                segments.set(i, new ProgramHeader(p.index(), p.headerOffset(), p.type(), p.flags() & ~PF_W, p.offset(),
                        p.vaddr(), p.paddr(), p.filesz(), p.memsz(), p.align()));
            }
        }
    }

    private void writeProgramHeaders() {
        int entsize = file.elfClass().programHeaderSize();
        if (segments.equals(file.programHeaders())) {
            return;
        }
        byte[] table = new byte[segments.size() * entsize];
        for (int i = 0; i < segments.size(); i++) {
            System.arraycopy(codec.programHeader(segments.get(i)), 0, table, i * entsize, entsize);
        }
        put(header.phoff(), table);
        if (segments.size() != file.programHeaders().size()) {
            ByteBuffer n = codec.buffer(2).putShort(0, (short) segments.size());
            put(file.elfClass() == ElfClass.ELF64 ? 56 : 44, n.array());
        }
    }

    // ---- reused segment ----

    /**
     * How much of our segment holds data the editor does not lay out again (the block moved for the
     * program headers): everything but the interpreter, the string table and the dynamic array.
     */
    private long fixedEnd(ProgramHeader segment, Set<Integer> relaid) {
        long start = segment.offset();
        long end = segment.offset() + segment.filesz();
        long fixed = MARKER_BYTES.length;
        for (SectionHeader s : file.sectionHeaders()) {
            if (!relaid.contains(s.index()) && s.hasFileImage() && s.offset() >= start && s.offset() < end) {
                fixed = Math.max(fixed, s.offset() + s.size() - start);
            }
        }
        for (ProgramHeader p : file.programHeaders()) {
            long t = p.type();
            if (t != PT_LOAD && t != PT_PHDR && t != PT_INTERP && t != PT_DYNAMIC && p.offset() >= start
                    && p.offset() < end) {
                fixed = Math.max(fixed, p.offset() + p.filesz() - start);
            }
        }
        return Math.min(fixed, segment.filesz());
    }

    /** Whether {@code offset} lies in the part of the reused segment that is laid out again. */
    private boolean inTail(long offset) {
        return own != null && offset >= own.offset() + fixedEnd && offset < own.offset() + own.filesz();
    }

    // ---- version needs, version indices and symbols ----

    private void writeVersionNeeds(EditModel model, List<Integer> kept, StringTablePlan strings) {
        List<VersionNeed> needs = file.versionNeeds();
        for (int k = 0; k < kept.size(); k++) {
            VersionNeed need = needs.get(kept.get(k));
            long fileIndex = strings.index.get(model.versionNeedFiles.get(kept.get(k)));
            long next = k + 1 < kept.size() ? needs.get(kept.get(k + 1)).fileOffset() - need.fileOffset() : 0;
            if (fileIndex != need.fileNameIndex()) {
                put(translate(need.fileOffset() + 4), codec.buffer(4).putInt(0, (int) fileIndex).array());
            }
            if (next != need.next()) {
                put(translate(need.fileOffset() + 12), codec.buffer(4).putInt(0, (int) next).array());
            }
        }
    }

    /** Symbols bound to a dropped version need become plain global (index 1). */
    private void writeVersionIndices(DynamicStringUsers users, Set<Integer> dropped) throws IOException {
        long versym = dynamic.value(DT_VERSYM).orElse(0);
        long count = users.dynamicSymbolCount;
        if (versym == 0 || count <= 0) {
            return;
        }
        long offset = file.fileOffsetOf(versym, count * 2).orElseThrow(() -> in.bad(dynamic.fileOffset(),
                "DT_VERSYM 0x" + Long.toHexString(versym) + " is not inside the file image of any PT_LOAD"));
        ByteBuffer indices = in.read(offset, count * 2, "symbol version table");
        byte[] global = codec.buffer(2).putShort(0, (short) 1).array();
        for (int i = 0; i < count; i++) {
            if (dropped.contains(indices.getShort(i * 2) & 0x7fff)) {
                put(translate(offset + i * 2L), global);
            }
        }
    }

    /** Symbols defined in a moved section move with it (patchelf does the same). */
    private void adjustSymbols(DynamicStringUsers users) throws IOException {
        if (sectionDelta.isEmpty()) {
            return;
        }
        boolean is64 = file.elfClass() == ElfClass.ELF64;
        int size = is64 ? 24 : 16;
        for (DynamicStringUsers.SymbolTable t : users.symbolTables) {
            ByteBuffer symbols = in.read(t.fileOffset(), t.count() * size, "symbol table");
            for (int i = 0; i < t.count(); i++) {
                int base = i * size;
                int shndx = symbols.getShort(base + (is64 ? 6 : 14)) & 0xffff;
                Long delta = sectionDelta.get(shndx);
                if (delta == null || shndx == SHN_UNDEF || shndx >= 0xff00) {
                    continue;
                }
                long valueAt = t.fileOffset() + base + (is64 ? 8 : 4);
                long value = codec.getWord(symbols, base + (is64 ? 8 : 4)) + delta;
                ByteBuffer b = codec.buffer(codec.wordSize());
                codec.putWord(b, 0, value);
                put(translate(valueAt), b.array());
            }
        }
    }

    // ---- helpers ----

    private interface SegmentChange {
        ProgramHeader apply(ProgramHeader p);
    }

    private void replaceSegment(int originalIndex, SegmentChange change) {
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).index() == originalIndex) {
                segments.set(i, change.apply(segments.get(i)));
                return;
            }
        }
        throw new IllegalStateException("no segment " + originalIndex);
    }

    private void moveSection(int index, long offset, long address, long size) {
        SectionHeader s = sections.get(index);
        sections.set(index, new SectionHeader(s.index(), s.headerOffset(), s.nameIndex(), s.name(), s.type(),
                s.flags(), address, offset, size, s.link(), s.info(), s.addralign(), s.entsize()));
    }

    private interface SectionTest {
        boolean test(SectionHeader s);
    }

    private int sectionIndex(SectionTest test) {
        for (SectionHeader s : file.sectionHeaders()) {
            if (test.test(s)) {
                return s.index();
            }
        }
        return -1;
    }

    /** Where the byte at original {@code offset} is now: moved with the block, or where it was. */
    private long translate(long offset) {
        return block != null && block.contains(offset) ? block.newOffset() + (offset - block.start()) : offset;
    }

    /** Records a write; one that falls inside the segment being built goes into its content. */
    private void put(long offset, byte[] bytes) {
        if (content != null && offset >= segmentOffset && offset + bytes.length <= segmentOffset + content.length) {
            System.arraycopy(bytes, 0, content, (int) (offset - segmentOffset), bytes.length);
        } else {
            writes.add(new ElfPatch.Write(offset, bytes));
        }
    }

    /** The writes that change something, cut to the new size. */
    private List<ElfPatch.Write> effective(List<ElfPatch.Write> all, long newSize) throws IOException {
        List<ElfPatch.Write> result = new ArrayList<>();
        for (ElfPatch.Write w : all) {
            ElfPatch.Write cut = w;
            if (w.offset() >= newSize) {
                continue;
            }
            if (w.end() > newSize) {
                cut = new ElfPatch.Write(w.offset(), Arrays.copyOf(w.bytes(), (int) (newSize - w.offset())));
            }
            if (cut.end() <= file.fileSize()) {
                byte[] now = bytes(in.read(cut.offset(), cut.bytes().length, "patched range"));
                if (Arrays.equals(now, cut.bytes()) && !overlapsEarlier(result, cut)) {
                    continue;
                }
            }
            result.add(cut);
        }
        return result;
    }

    private static boolean overlapsEarlier(List<ElfPatch.Write> earlier, ElfPatch.Write w) {
        for (ElfPatch.Write e : earlier) {
            if (e.offset() < w.end() && w.offset() < e.end()) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlaps(long offset, long size, long start, long end) {
        return offset < end && start < offset + size;
    }

    private static long alignUp(long value, long alignment) {
        return Math.addExact(value, alignment - 1) & -alignment;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The new segment's bytes, growing as blocks are appended. */
    private static final class ContentBuilder {
        private byte[] bytes;

        ContentBuilder(byte[] start) {
            this.bytes = start;
        }

        /** Appends at the next multiple of {@code alignment}; returns the position. */
        long append(byte[] data, long alignment) {
            int at = (int) alignUp(bytes.length, alignment);
            bytes = Arrays.copyOf(bytes, at + data.length);
            System.arraycopy(data, 0, bytes, at, data.length);
            return at;
        }

        /** Appends so that {@code base + position ≡ original (mod alignment)}; returns the position. */
        long appendCongruent(byte[] data, long base, long original, long alignment) {
            long at = bytes.length;
            long mask = alignment - 1;
            at += ((original & mask) - ((base + at) & mask)) & mask;
            bytes = Arrays.copyOf(bytes, (int) at + data.length);
            System.arraycopy(data, 0, bytes, (int) at, data.length);
            return at;
        }

        byte[] bytes() {
            return bytes;
        }
    }
}
