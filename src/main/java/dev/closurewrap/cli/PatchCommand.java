package dev.closurewrap.cli;

import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfEditor;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.io.ByteString;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    @Override
    public Integer call() throws IOException {
        if (output != null && files.size() > 1) {
            throw new ParameterException(spec.commandLine(), "--output takes one input file, got " + files.size());
        }
        if (replaceNeeded.size() % 2 != 0) {
            throw new ParameterException(spec.commandLine(), "--replace-needed takes OLD and NEW");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (files.size() == 1) {
            patch(files.get(0), out);
            out.flush();
            return ExitCodes.OK;
        }
        // Files are independent: edit them on every core; prints stay in the order given.
        boolean printing = printNeeded || printRpath || printInterpreter || printSoname;
        int threads = printing ? 1 : Math.min(files.size(), Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int failed = 0;
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Path file : files) {
                results.add(pool.submit(() -> {
                    StringWriter text = new StringWriter();
                    try (PrintWriter buffer = new PrintWriter(text)) {
                        patch(file, buffer);
                    }
                    return text.toString();
                }));
            }
            for (int i = 0; i < files.size(); i++) {
                try {
                    out.print(results.get(i).get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (!(cause instanceof IOException)) {
                        throw new IllegalStateException("editing " + files.get(i) + " failed", cause);
                    }
                    // Plain I/O errors often lack the path ("Is a directory").
                    String message = String.valueOf(cause.getMessage());
                    String file = files.get(i).toString();
                    err.println("closure-wrap: " + (message.contains(file) ? message : file + ": " + message));
                    failed++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.SOME_FILES_FAILED;
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

    /** The edits in patchelf's order: soname, interpreter, search path, removed, replaced, added needs. */
    private List<ElfEdit> edits(ElfFile elf, Path file) throws IOException {
        List<ElfEdit> edits = new ArrayList<>();
        SearchPathTag tag = forceRpath ? SearchPathTag.RPATH : SearchPathTag.RUNPATH;
        if (setSoname != null) {
            edits.add(new ElfEdit.SetSoname(bytes(setSoname)));
        }
        if (setInterpreter != null) {
            edits.add(new ElfEdit.SetInterpreter(bytes(setInterpreter)));
        }
        if (shrinkRpath) {
            Optional<ByteString> current = elf.runpath().or(elf::rpath);
            if (current.isPresent()) {
                edits.add(new ElfEdit.SetSearchPath(shrink(current.get(), elf, file), tag));
            }
        } else if (removeRpath) {
            edits.add(new ElfEdit.RemoveSearchPath());
        } else if (setRpath != null) {
            edits.add(new ElfEdit.SetSearchPath(bytes(setRpath), tag));
        } else if (addRpath != null) {
            edits.add(new ElfEdit.AddSearchPath(bytes(addRpath), tag));
        }
        removeNeeded.forEach(n -> edits.add(new ElfEdit.RemoveNeeded(bytes(n))));
        for (int i = 0; i < replaceNeeded.size(); i += 2) {
            edits.add(new ElfEdit.ReplaceNeeded(bytes(replaceNeeded.get(i)), bytes(replaceNeeded.get(i + 1))));
        }
        addNeeded.forEach(n -> edits.add(new ElfEdit.AddNeeded(bytes(n))));
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
        List<String> keep = new ArrayList<>();
        for (String dir : searchPath.utf8().split(":", -1)) {
            if (dir.isEmpty()) {
                continue;
            }
            if (!dir.startsWith("/")) {
                keep.add(dir);
                continue;
            }
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
                keep.add(dir);
            }
        }
        return bytes(String.join(":", keep));
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
