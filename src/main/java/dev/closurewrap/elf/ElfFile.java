package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A read-only, fully parsed view of one ELF file: the raw structures with their file offsets (for
 * an editor) and what they mean (for everyone else). Immutable; holds no open file.
 *
 * <p>Open one with {@link #open(Path)}; a file that is not ELF at all is told apart with
 * {@link #isElf(Path)} or {@link #openIfElf(Path)}. Bad input raises
 * {@link dev.closurewrap.io.BadInputException} naming the file and offset; limits (a table of
 * more than 64 MiB) raise {@link dev.closurewrap.io.UnsupportedInputException}.
 */
public final class ElfFile {
    private final String name;
    private final long fileSize;
    private final ElfHeader header;
    private final List<ProgramHeader> programHeaders;
    private final List<SectionHeader> sectionHeaders;
    private final boolean separateDebugFile;
    private final Optional<Interpreter> interpreter;
    private final Optional<DynamicSection> dynamic;
    private final Optional<StringTable> dynamicStringTable;
    private final List<DynamicString> dynamicStrings;
    private final List<VersionNeed> versionNeeds;
    private final ElfKind kind;
    private final LoaderFamily loaderFamily;

    ElfFile(String name, long fileSize, ElfHeader header, List<ProgramHeader> programHeaders,
            List<SectionHeader> sectionHeaders, boolean separateDebugFile, Optional<Interpreter> interpreter,
            Optional<DynamicSection> dynamic, Optional<StringTable> dynamicStringTable,
            List<DynamicString> dynamicStrings, List<VersionNeed> versionNeeds) {
        this.name = Objects.requireNonNull(name, "name");
        this.fileSize = fileSize;
        this.header = Objects.requireNonNull(header, "header");
        this.programHeaders = List.copyOf(programHeaders);
        this.sectionHeaders = List.copyOf(sectionHeaders);
        this.separateDebugFile = separateDebugFile;
        this.interpreter = Objects.requireNonNull(interpreter, "interpreter");
        this.dynamic = Objects.requireNonNull(dynamic, "dynamic");
        this.dynamicStringTable = Objects.requireNonNull(dynamicStringTable, "dynamicStringTable");
        this.dynamicStrings = List.copyOf(dynamicStrings);
        this.versionNeeds = List.copyOf(versionNeeds);
        this.kind = ElfClassifier.kind(this);
        this.loaderFamily = ElfClassifier.loaderFamily(this, kind);
    }

    // ---- opening ----

    /** Parses the ELF file at {@code path}; its display name in errors is {@code path} as given. */
    public static ElfFile open(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(path.toString(), channel, 0, channel.size());
        }
    }

    /** The parsed file, or empty if {@code path} does not start with the ELF magic. */
    public static Optional<ElfFile> openIfElf(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ElfInput input = ElfInput.of(path.toString(), channel, 0, channel.size());
            if (!ElfReader.hasMagic(input)) {
                return Optional.empty();
            }
            return Optional.of(ElfReader.read(input));
        }
    }

    /** Whether the file at {@code path} starts with the ELF magic {@code \x7fELF}. */
    public static boolean isElf(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return ElfReader.hasMagic(ElfInput.of(path.toString(), channel, 0, channel.size()));
        }
    }

    /**
     * Parses {@code size} bytes at {@code base} of an open channel (a file, or a member inside an
     * archive). {@code name} is used in error messages and its last path element in classification
     * (musl's {@code libc.so} is recognised by name). The channel is not closed.
     */
    public static ElfFile read(String name, FileChannel channel, long base, long size) throws IOException {
        if (base < 0 || size < 0) {
            throw new IllegalArgumentException("base " + base + ", size " + size);
        }
        return ElfReader.read(ElfInput.of(name, channel, base, size));
    }

    /** Parses an ELF image held in memory. */
    public static ElfFile parse(String name, byte[] bytes) throws IOException {
        return ElfReader.read(ElfInput.of(name, bytes));
    }

    /** Whether {@code bytes} start with the ELF magic. */
    public static boolean isElf(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    // ---- raw structures ----

    /** The name given when opening, as used in error messages. */
    public String name() {
        return name;
    }

    public long fileSize() {
        return fileSize;
    }

    public ElfHeader header() {
        return header;
    }

    public ElfClass elfClass() {
        return header.elfClass();
    }

    public ElfData data() {
        return header.data();
    }

    public int machine() {
        return header.machine();
    }

    /** All program headers (the real count, also with extended numbering). */
    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    /** All section headers with their names; empty for a section-stripped file. */
    public List<SectionHeader> sectionHeaders() {
        return sectionHeaders;
    }

    /** The first section called {@code sectionName}. */
    public Optional<SectionHeader> section(String sectionName) {
        return sectionHeaders.stream().filter(s -> s.isNamed(sectionName)).findFirst();
    }

    /** The dynamic array through PT_DYNAMIC; empty for static programs, objects and debug files. */
    public Optional<DynamicSection> dynamic() {
        return dynamic;
    }

    /** Where DT_STRTAB/DT_STRSZ put the dynamic string table; present when any string entry exists. */
    public Optional<StringTable> dynamicStringTable() {
        return dynamicStringTable;
    }

    /** DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH entries with their strings, in file order. */
    public List<DynamicString> dynamicStrings() {
        return dynamicStrings;
    }

    /** The string-valued entries with {@code tag}, in file order. */
    public List<DynamicString> dynamicStrings(long tag) {
        return dynamicStrings.stream().filter(s -> s.tag() == tag).toList();
    }

    public Optional<Interpreter> interpreter() {
        return interpreter;
    }

    /** {@code .gnu.version_r} through DT_VERNEED/DT_VERNEEDNUM, in chain order. */
    public List<VersionNeed> versionNeeds() {
        return versionNeeds;
    }

    /**
     * The file offset of {@code size} bytes at virtual {@code address}, through the PT_LOAD whose
     * file image holds them; empty if none does.
     */
    public OptionalLong fileOffsetOf(long address, long size) {
        long offset = ElfReader.fileOffsetOf(programHeaders, address, size);
        return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    // ---- meaning ----

    public ElfKind kind() {
        return kind;
    }

    public LoaderFamily loaderFamily() {
        return loaderFamily;
    }

    /** Whether this is a separate debug file (its allocated sections are SHT_NOBITS). */
    public boolean isSeparateDebugFile() {
        return separateDebugFile;
    }

    /** The page size new segments must be aligned to on this file's machine. */
    public int pageSize() {
        return ElfMachine.pageSize(header.machine());
    }

    /** The interpreter path, if the file has PT_INTERP. */
    public Optional<ByteString> interpreterPath() {
        return interpreter.map(Interpreter::path);
    }

    /** DT_NEEDED names in order. */
    public List<ByteString> needed() {
        return dynamicStrings(DT_NEEDED).stream().map(DynamicString::value).toList();
    }

    /** DT_SONAME; with several, the last, as the loader uses it. */
    public Optional<ByteString> soname() {
        return lastString(DT_SONAME);
    }

    /** DT_RPATH; with several, the last, as the loader uses it. */
    public Optional<ByteString> rpath() {
        return lastString(DT_RPATH);
    }

    /** DT_RUNPATH; with several, the last, as the loader uses it. */
    public Optional<ByteString> runpath() {
        return lastString(DT_RUNPATH);
    }

    /** DT_FLAGS, if present. */
    public OptionalLong flags() {
        return dynamic.map(d -> d.value(DT_FLAGS)).orElse(OptionalLong.empty());
    }

    /** DT_FLAGS_1, if present. */
    public OptionalLong flags1() {
        return dynamic.map(d -> d.value(DT_FLAGS_1)).orElse(OptionalLong.empty());
    }

    private Optional<ByteString> lastString(long tag) {
        List<DynamicString> all = dynamicStrings(tag);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).value());
    }

    @Override
    public String toString() {
        return name + " (" + header.elfClass() + " " + header.machineName() + " " + kind.description() + ")";
    }
}
