package dev.closurewrap.cli;

import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarDumper;
import dev.closurewrap.nar.NarWriter;
import dev.closurewrap.nar.WireSink;
import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.store.Hash;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nar dump PATH...}: the archive of a file tree, as {@code nix-store --dump} writes it; several
 * trees (a closure) in one process with {@code -d DIR} or {@code --hash}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Write the NAR of PATH to standard output (like nix-store --dump).",
            "With --hash, print its NarHash and NarSize instead (like nix hash path).",
            "Several PATHs (a closure, in one process): -d DIR writes DIR/<name of PATH>.nar for each;",
            "--hash prints a Path: line before each one's NarHash and NarSize."})
final class NarDumpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "File, directory or symlink to archive (symlinks are stored, not followed).")
    List<Path> paths;

    @Option(names = "--hash", description = "Print NarHash (sha256, Nix base-32) and NarSize instead of the archive.")
    boolean hash;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the archive to FILE instead of standard output.")
    Path output;

    @Option(names = {"-d", "--directory"}, paramLabel = "DIR",
            description = "Write each PATH's archive to DIR/<file name of PATH>.nar (DIR must exist).")
    Path directory;

    @Override
    public Integer call() throws IOException {
        if (hash) {
            for (Path path : paths) {
                NarDigest digest = NarDumper.dump(path, new NarWriter(new WireSink(new Discard()), path.toString(), true));
                if (paths.size() > 1) {
                    spec.commandLine().getOut().println("Path: " + path);
                }
                spec.commandLine().getOut().println("NarHash: " + Hash.of(digest));
                spec.commandLine().getOut().println("NarSize: " + digest.size());
            }
            return ExitCodes.OK;
        }
        if (directory != null) {
            if (output != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-o and -d exclude each other");
            }
            List<Path> targets = targets();
            for (int i = 0; i < paths.size(); i++) {
                dumpAtomically(paths.get(i), targets.get(i));
            }
            return ExitCodes.OK;
        }
        if (paths.size() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "one archive per output: several PATHs need -d DIR (or --hash)");
        }
        Path path = paths.get(0);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(path.toString(), null, "no such file or directory");
        }
        if (output != null) {
            dumpAtomically(path, output);
        } else {
            // Standard output stays open for the rest of the run: the channel is flushed, not closed.
            FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
            NarDumper.dump(path, new NarWriter(new WireSink(stdout), path.toString(), false));
        }
        return ExitCodes.OK;
    }

    /** DIR/<name>.nar for each PATH; checked before anything is written. */
    private List<Path> targets() throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new java.nio.file.NotDirectoryException(directory.toString());
        }
        List<Path> targets = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path path : paths) {
            Path name = path.toAbsolutePath().normalize().getFileName();
            if (name == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), path + " has no file name to name its archive");
            }
            Path target = directory.resolve(name + ".nar");
            if (!seen.add(target)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "two PATHs would both be archived to " + target);
            }
            if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new java.nio.file.NoSuchFileException(path.toString());
            }
            targets.add(target);
        }
        return targets;
    }

    /** Counts nothing, keeps nothing: the archive is only hashed. */
    private static final class Discard implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Through a temp file and a rename: a failed dump never leaves half an archive. */
    private static void dumpAtomically(Path path, Path target) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(path.toString(), null, "no such file or directory");
        }
        // A channel, not a stream, so that large files still go out with sendfile.
        Path temp = AtomicFiles.createTemp(target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                NarDumper.dump(path, new NarWriter(new WireSink(out), path.toString(), false));
            }
            AtomicFiles.rename(temp, target, false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
