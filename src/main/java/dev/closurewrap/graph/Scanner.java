package dev.closurewrap.graph;

import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;

/**
 * Classifies every file under a set of roots: ELF (parsed, loader facts kept), script (shebang),
 * other regular file, symlink, directory, each regular file with its sha256. One pass per file
 * through a 256 KiB buffer, files spread over {@code threads} workers; only metadata is kept.
 */
public final class Scanner {
    private static final int BUFFER = 256 * 1024;
    /** Linux reads at most this much of a {@code #!} line (BINPRM_BUF_SIZE). */
    private static final int SHEBANG_LIMIT = 256;

    private final int threads;

    public Scanner(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        this.threads = threads;
    }

    /** Every file under each root (a directory, file or symlink), sorted by path. */
    public List<ScannedFile> scan(List<Path> roots) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.forEach(paths::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            List<ScannedFile> files = pool.submit(() -> paths.parallelStream().map(path -> {
                try {
                    return scanOne(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList()).get();
            List<ScannedFile> sorted = new ArrayList<>(files);
            sorted.sort(Comparator.comparing(ScannedFile::path));
            return sorted;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("scan failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while scanning", e);
        } finally {
            pool.shutdown();
        }
    }

    /** Classifies one file. */
    public static ScannedFile scanOne(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            return new ScannedFile.Symlink(path, ByteString.utf8(Files.readSymbolicLink(path).toString()));
        }
        if (attrs.isDirectory()) {
            return new ScannedFile.Directory(path);
        }
        boolean executable = Files.isExecutable(path);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(size, 1)));
            MessageDigest sha256 = sha256();
            // The first buffer tells the class; the hash streams through the rest.
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // fill the first buffer as far as the file allows
            }
            buffer.flip();
            byte[] head = new byte[Math.min(buffer.remaining(), SHEBANG_LIMIT)];
            buffer.get(0, head);
            sha256.update(buffer);
            buffer.clear();
            while (channel.read(buffer) > 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
            String hash = HexFormat.of().formatHex(sha256.digest());
            if (ElfFile.isElf(head)) {
                try {
                    ElfFile elf = ElfFile.read(path.toString(), channel, 0, size);
                    return new ScannedFile.ElfObject(path, size, hash, executable, LoadableObject.of(elf));
                } catch (BadInputException | UnsupportedInputException e) {
                    return new ScannedFile.BrokenElf(path, size, hash, e.getMessage());
                }
            }
            if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
                return shebang(path, size, hash, executable, head);
            }
            return new ScannedFile.Regular(path, size, hash, executable);
        }
    }

    /** The kernel's reading of a {@code #!} line: interpreter up to blank, the rest one argument. */
    private static ScannedFile shebang(Path path, long size, String hash, boolean executable, byte[] head) {
        int end = 2;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        int i = 2;
        while (i < end && (head[i] == ' ' || head[i] == '\t')) {
            i++;
        }
        int interpEnd = i;
        while (interpEnd < end && head[interpEnd] != ' ' && head[interpEnd] != '\t') {
            interpEnd++;
        }
        int argStart = interpEnd;
        while (argStart < end && (head[argStart] == ' ' || head[argStart] == '\t')) {
            argStart++;
        }
        int argEnd = end;
        while (argEnd > argStart && (head[argEnd - 1] == ' ' || head[argEnd - 1] == '\t' || head[argEnd - 1] == '\r')) {
            argEnd--;
        }
        return new ScannedFile.Script(path, size, hash, executable, ByteString.of(head, i, interpEnd - i),
                ByteString.of(head, argStart, argEnd - argStart));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
