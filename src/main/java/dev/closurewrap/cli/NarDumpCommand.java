package dev.closurewrap.cli;

import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarDumper;
import dev.closurewrap.nar.NarWriter;
import dev.closurewrap.nar.WireSink;
import dev.closurewrap.store.Hash;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nar dump PATH}: the archive of a file tree, as {@code nix-store --dump} writes it. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Write the NAR of PATH to standard output (like nix-store --dump).",
            "With --hash, print its NarHash and NarSize instead (like nix hash path)."})
final class NarDumpCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "File, directory or symlink to archive (symlinks are stored, not followed).")
    Path path;

    @Option(names = "--hash", description = "Print NarHash (sha256, Nix base-32) and NarSize instead of the archive.")
    boolean hash;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the archive to FILE instead of standard output.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (hash) {
            NarDigest digest = NarDumper.dump(path, new NarWriter(new WireSink(new Discard()), path.toString(), true));
            spec.commandLine().getOut().println("NarHash: " + Hash.of(digest));
            spec.commandLine().getOut().println("NarSize: " + digest.size());
            return ExitCodes.OK;
        }
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such file or directory");
        }
        if (output == null) {
            // Standard output stays open for whoever runs us; only the archive goes through it.
            FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
            NarDumper.dump(path, new NarWriter(new WireSink(out), path.toString(), false));
            return ExitCodes.OK;
        }
        // A temp file beside FILE, renamed over it when complete: a failed dump leaves FILE as it was.
        Path target = output.toAbsolutePath();
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                NarDumper.dump(path, new NarWriter(new WireSink(out), path.toString(), false));
                out.force(true);
            }
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return ExitCodes.OK;
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
}
