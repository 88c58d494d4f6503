package dev.closurewrap.cli;

import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfEditor;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.ParallelIo;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code closure-wrap patch}: the ELF editor with patchelf's flags and meanings. Unlike patchelf,
 * any combination works in one call, because the edits are collected first and the file is laid
 * out once. Prints show the file as it was before this call's edits (as patchelf's do).
 */
@Command(name = "patch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Edit the dynamic-linking information of ELF files, with patchelf's options.",
            "Every file is written through a temporary file and an atomic rename, keeping its mode;",
            "a file whose edits change nothing is not written."})
final class PatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--print-needed", description = "Print the DT_NEEDED entries, one per line.")
    boolean printNeeded;

    @Option(names = "--print-rpath", description = "Print DT_RUNPATH, or DT_RPATH if there is no DT_RUNPATH.")
    boolean printRpath;

    @Option(names = "--print-interpreter", description = "Print PT_INTERP.")
    boolean printInterpreter;

    @Option(names = "--print-soname", description = "Print DT_SONAME.")
    boolean printSoname;

    @Option(names = "--set-rpath", paramLabel = "RPATH", description = "Set the search path (DT_RUNPATH; DT_RPATH with --force-rpath).")
    String setRpath;

    @Option(names = "--add-rpath", paramLabel = "RPATH", description = "Append directories to the search path.")
    String addRpath;

    @Option(names = "--remove-rpath", description = "Remove DT_RPATH and DT_RUNPATH.")
    boolean removeRpath;

    @Option(names = "--shrink-rpath", description = "Keep only the search-path directories that hold a needed library.")
    boolean shrinkRpath;

    @Option(names = "--allowed-rpath-prefixes", paramLabel = "PREFIXES",
            description = "With --shrink-rpath: drop absolute directories not under one of these colon-separated prefixes.")
    String allowedRpathPrefixes;

    @Option(names = "--force-rpath", description = "Write DT_RPATH instead of DT_RUNPATH.")
    boolean forceRpath;

    @Option(names = "--replace-needed", arity = "2", paramLabel = "LIB",
            description = "Replace DT_NEEDED OLD by NEW (and the version needs for OLD); repeatable.")
    List<String> replaceNeeded = new ArrayList<>();

    @Option(names = "--add-needed", paramLabel = "LIB", description = "Add a DT_NEEDED entry in front; repeatable.")
    List<String> addNeeded = new ArrayList<>();

    @Option(names = "--remove-needed", paramLabel = "LIB",
            description = "Remove a DT_NEEDED entry and its version needs; repeatable.")
    List<String> removeNeeded = new ArrayList<>();

    @Option(names = "--set-interpreter", paramLabel = "INTERP", description = "Set PT_INTERP.")
    String setInterpreter;

    @Option(names = "--set-soname", paramLabel = "SONAME", description = "Set DT_SONAME.")
    String setSoname;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the result here instead of over the input.")
    Path output;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    private Edits optionEdits;

    @Override
    public Integer call() throws IOException {
        if (output != null && files.size() > 1) {
            throw new ParameterException(spec.commandLine(), "--output takes one input file, got " + files.size());
        }
        if (replaceNeeded.size() % 2 != 0) {
            throw new ParameterException(spec.commandLine(), "--replace-needed takes OLD and NEW");
        }
        optionEdits = editsFromOptions();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (files.size() == 1) {
            patch(files.get(0), out);
            out.flush();
            return ExitCodes.OK;
        }
        // Files are independent: edit them on every core; prints stay in the order given.
        boolean printing = printNeeded || printRpath || printInterpreter || printSoname;
        int threads = printing ? 1 : Runtime.getRuntime().availableProcessors();
        List<Outcome> outcomes = ParallelIo.map(threads, files, this::patchOne, "patching");
        int failed = 0;
        for (int i = 0; i < files.size(); i++) {
            if (outcomes.get(i) instanceof Printed printed) {
                out.print(printed.text());
            } else if (outcomes.get(i) instanceof Failed failure) {
                // Plain I/O errors often lack the path ("Is a directory").
                String message = String.valueOf(failure.error().getMessage());
                String file = files.get(i).toString();
                err.println("closure-wrap: " + (message.contains(file) ? message : file + ": " + message));
                failed++;
            }
        }
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.SOME_FILES_FAILED;
    }

    /** One file's outcome in a batch: what it printed, or why it was left as it was. */
    private sealed interface Outcome permits Printed, Failed {}

    private record Printed(String text) implements Outcome {}

    private record Failed(IOException error) implements Outcome {}

    /** A bad file fails alone; the batch goes on. */
    private Outcome patchOne(Path file) {
        StringWriter text = new StringWriter();
        try (PrintWriter buffer = new PrintWriter(text)) {
            patch(file, buffer);
        } catch (IOException e) {
            return new Failed(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("editing " + file + " failed", e);
        }
        return new Printed(text.toString());
    }

    private void patch(Path file, PrintWriter out) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file or directory");
            }
            // A directory cannot be ELF, and opening a FIFO or device could block forever.
            throw new dev.closurewrap.io.BadInputException("ELF", file.toString(), dev.closurewrap.io.BadInputException.NO_OFFSET,
                    Files.isDirectory(file) ? "is a directory" : "is not a regular file");
        }
        ElfFile elf = ElfFile.open(file);
        String prefix = files.size() > 1 ? file + ": " : "";
        if (printInterpreter) {
            out.println(prefix + elf.interpreterPath().map(ByteString::toString).orElseThrow(
                    () -> new UnsupportedInputException(elf.name(), "no PT_INTERP to print")));
        }
        if (printSoname) {
            out.println(prefix + elf.soname().map(ByteString::toString).orElse(""));
        }
        if (printRpath) {
            out.println(prefix + elf.runpath().or(elf::rpath).map(ByteString::toString).orElse(""));
        }
        if (printNeeded) {
            elf.needed().forEach(n -> out.println(prefix + n));
        }
        List<ElfEdit> edits = edits(elf, file);
        if (!edits.isEmpty() || output != null) {
            ElfEditor.edit(file, output != null ? output : file, edits);
        }
    }

    /**
     * The edits the options ask for, in patchelf's order: soname, interpreter, search path,
     * removed, replaced, added needs. The search path is left out with --shrink-rpath: it depends
     * on each file.
     */
    private record Edits(List<ElfEdit> before, Optional<ElfEdit> searchPath, List<ElfEdit> after) {}

    /** The edits from the options; a value no ELF file can hold (empty, a NUL byte) is a usage error. */
    private Edits editsFromOptions() {
        List<ElfEdit> before = new ArrayList<>();
        SearchPathTag tag = forceRpath ? SearchPathTag.RPATH : SearchPathTag.RUNPATH;
        if (setSoname != null) {
            before.add(option("--set-soname", () -> new ElfEdit.SetSoname(bytes(setSoname))));
        }
        if (setInterpreter != null) {
            before.add(option("--set-interpreter", () -> new ElfEdit.SetInterpreter(bytes(setInterpreter))));
        }
        Optional<ElfEdit> searchPath = Optional.empty();
        if (shrinkRpath) {
            // Depends on each file's libraries: made in edits(elf, file); wins over the others, as in patchelf.
        } else if (removeRpath) {
            searchPath = Optional.of(new ElfEdit.RemoveSearchPath());
        } else if (setRpath != null) {
            searchPath = Optional.of(option("--set-rpath", () -> new ElfEdit.SetSearchPath(bytes(setRpath), tag)));
        } else if (addRpath != null) {
            searchPath = Optional.of(option("--add-rpath", () -> new ElfEdit.AddSearchPath(bytes(addRpath), tag)));
        }
        List<ElfEdit> after = new ArrayList<>();
        for (String name : removeNeeded) {
            after.add(option("--remove-needed", () -> new ElfEdit.RemoveNeeded(bytes(name))));
        }
        for (int i = 0; i < replaceNeeded.size(); i += 2) {
            ByteString from = bytes(replaceNeeded.get(i));
            ByteString to = bytes(replaceNeeded.get(i + 1));
            after.add(option("--replace-needed", () -> new ElfEdit.ReplaceNeeded(from, to)));
        }
        for (String name : addNeeded) {
            after.add(option("--add-needed", () -> new ElfEdit.AddNeeded(bytes(name))));
        }
        return new Edits(before, searchPath, after);
    }

    private ElfEdit option(String name, Supplier<ElfEdit> edit) {
        try {
            return edit.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), name + ": " + e.getMessage());
        }
    }

    /** The edits for one file: the options' edits, with the shrunk search path when asked. */
    private List<ElfEdit> edits(ElfFile elf, Path file) throws IOException {
        List<ElfEdit> edits = new ArrayList<>(optionEdits.before());
        if (shrinkRpath) {
            Optional<ByteString> current = elf.runpath().or(elf::rpath);
            if (current.isPresent()) {
                SearchPathTag tag = forceRpath ? SearchPathTag.RPATH : SearchPathTag.RUNPATH;
                edits.add(new ElfEdit.SetSearchPath(shrink(current.get(), elf, file), tag));
            }
        }
        optionEdits.searchPath().ifPresent(edits::add);
        edits.addAll(optionEdits.after());
        return edits;
    }

    /**
     * patchelf's --shrink-rpath: keep relative entries ($ORIGIN...), drop absolute ones outside the
     * allowed prefixes, and keep an absolute directory only if it holds a needed library, of the
     * same machine, that no earlier directory provided.
     */
    private ByteString shrink(ByteString searchPath, ElfFile elf, Path file) throws IOException {
        List<String> prefixes = allowedRpathPrefixes == null ? List.of()
                : List.of(allowedRpathPrefixes.split(":", -1)).stream().filter(p -> !p.isEmpty()).toList();
        List<ByteString> needed = elf.needed();
        boolean[] found = new boolean[needed.size()];
        // Entries stay bytes: a relative entry that is not UTF-8 must come out as it went in.
        List<ByteString> keep = new ArrayList<>();
        for (ByteString entry : splitAtColons(searchPath)) {
            if (entry.length() == 0) {
                continue;
            }
            if (entry.byteAt(0) != '/') {
                keep.add(entry);
                continue;
            }
            String dir = entry.utf8();
            if (!prefixes.isEmpty() && prefixes.stream().noneMatch(dir::startsWith)) {
                continue;
            }
            boolean provides = false;
            for (int i = 0; i < needed.size(); i++) {
                if (!found[i] && machineOf(Path.of(dir).resolve(needed.get(i).utf8())) == elf.machine()) {
                    found[i] = true;
                    provides = true;
                }
            }
            if (provides) {
                keep.add(entry);
            }
        }
        ByteString joined = ByteString.EMPTY;
        for (ByteString entry : keep) {
            joined = joined.length() == 0 ? entry : joined.concat(ByteString.utf8(":")).concat(entry);
        }
        return joined;
    }

    private static List<ByteString> splitAtColons(ByteString path) {
        List<ByteString> entries = new ArrayList<>();
        int start = 0;
        for (int colon; (colon = path.indexOf((byte) ':', start)) >= 0; start = colon + 1) {
            entries.add(path.substring(start, colon));
        }
        entries.add(path.substring(start, path.length()));
        return entries;
    }

    /** e_machine of an ELF file, or -1 if it is missing or not ELF. */
    private static int machineOf(Path path) {
        if (!Files.isRegularFile(path)) {
            return -1;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(20);
            channel.read(b, 0);
            if (b.position() < 20 || b.get(0) != 0x7f || b.get(1) != 'E' || b.get(2) != 'L' || b.get(3) != 'F') {
                return -1;
            }
            b.order(b.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            return b.getShort(18) & 0xffff;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Command-line arguments are bytes to the kernel; Java hands them over decoded, so encode back. */
    private static ByteString bytes(String s) {
        return ByteString.utf8(s);
    }
}
