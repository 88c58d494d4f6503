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
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nar restore DIR}: unpack an archive, all or nothing. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Unpack a NAR (plain, xz, zstd, bzip2 or gzip; told by its magic bytes) into DIR, which must not exist.",
            "The tree appears only when the whole archive has been read and checked."})
final class NarRestoreCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Where to create the tree.")
    Path target;

    @Option(names = {"-f", "--file"}, paramLabel = "F", description = "Read the archive from F instead of standard input.")
    Path file;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // Checked before the archive is read: both are the command line's mistakes, not the archive's.
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    target + ": already exists: nar restore creates DIR (give a new name)");
        }
        Path parent = target.toAbsolutePath().normalize().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new java.nio.file.NoSuchFileException(parent.toString(), null, "no such directory");
        }
        String name = file != null ? file.toString() : "<stdin>";
        try (InputStream raw = file != null ? Files.newInputStream(file) : new FileInputStream(FileDescriptor.in);
             NarReader reader = new NarReader(new WireSource(NarCompression.decompressing(raw, name), name), true, false)) {
            NarRestorer.restore(reader, target);
        }
        return ExitCodes.OK;
    }
}
