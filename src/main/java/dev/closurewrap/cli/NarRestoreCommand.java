package dev.closurewrap.cli;

import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarReader;
import dev.closurewrap.nar.NarRestorer;
import dev.closurewrap.nar.WireSource;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nar restore DIR}: unpack an archive, all or nothing; {@code -d DIR ARCHIVE...}: several, in one process. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Unpack a NAR (plain, xz, zstd, bzip2 or gzip; told by its magic bytes) into DIR, which must not exist.",
            "The tree appears only when the whole archive has been read and checked.",
            "With -d DIR, the parameters are archives NAME.nar[.xz|.zst|.bz2|.gz], each unpacked into DIR/NAME",
            "(the inverse of nar dump -d), in order, stopping at the first that fails."})
final class NarRestoreCommand implements Callable<Integer> {
    private static final List<String> SUFFIXES = List.of(".nar", ".nar.xz", ".nar.zst", ".nar.bz2", ".nar.gz");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR | ARCHIVE",
            description = "Where to create the tree; with -d, the archives to unpack.")
    List<Path> parameters;

    @Option(names = {"-f", "--file"}, paramLabel = "F", description = "Read the archive from F instead of standard input.")
    Path file;

    @Option(names = {"-d", "--directory"}, paramLabel = "DIR",
            description = "Unpack each ARCHIVE into DIR/<its name without .nar...> (DIR must exist).")
    Path directory;

    @Override
    public Integer call() throws IOException {
        if (directory == null) {
            if (parameters.size() != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "one archive per call: several need -d DIR ARCHIVE...");
            }
            checkTarget(parameters.get(0));
            String name = file != null ? file.toString() : "<stdin>";
            try (InputStream raw = file != null ? Files.newInputStream(file) : new FileInputStream(FileDescriptor.in)) {
                restore(raw, name, parameters.get(0));
            }
            return ExitCodes.OK;
        }
        if (file != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-f and -d exclude each other");
        }
        List<Path> targets = targets();
        for (int i = 0; i < parameters.size(); i++) {
            try (InputStream raw = Files.newInputStream(parameters.get(i))) {
                restore(raw, parameters.get(i).toString(), targets.get(i));
            }
        }
        return ExitCodes.OK;
    }

    /** Checked before the archive is read: both are the command line's mistakes, not the archive's. */
    private void checkTarget(Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    target + ": already exists: nar restore creates DIR (give a new name)");
        }
        Path parent = target.toAbsolutePath().normalize().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new NoSuchFileException(parent.toString(), null, "no such directory");
        }
    }

    private static void restore(InputStream raw, String name, Path target) throws IOException {
        try (NarReader reader = new NarReader(new WireSource(NarCompression.decompressing(raw, name), name), true, false)) {
            NarRestorer.restore(reader, target);
        }
    }

    /** DIR/NAME for each NAME.nar[.ext]; checked before anything is restored. */
    private List<Path> targets() throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new java.nio.file.NotDirectoryException(directory.toString());
        }
        List<Path> targets = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path archive : parameters) {
            Path fileName = archive.getFileName();
            String name = fileName == null ? "" : fileName.toString();
            String stem = SUFFIXES.stream().filter(s -> name.endsWith(s) && name.length() > s.length())
                    .map(s -> name.substring(0, name.length() - s.length())).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "cannot name a tree after " + archive + ": expected NAME.nar[.xz|.zst|.bz2|.gz]"));
            Path target = directory.resolve(stem);
            if (!seen.add(target)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "two archives would both be restored to " + target);
            }
            targets.add(target);
        }
        return targets;
    }
}
