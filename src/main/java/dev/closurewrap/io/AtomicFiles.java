package dev.closurewrap.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writing a file so that a reader, a crash or a power cut never sees half of it: write a temp file
 * beside the target, fsync it, rename it over the target, fsync the directory. After
 * {@link #commit} returns with {@code durable} set, the new content survives power loss; only then
 * may a checkpoint record that the file is done.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of a file. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * A fresh, unused name in {@code target}'s directory ({@code .NAME.tmp-RANDOM}), so that the
     * final rename stays inside one file system. Nothing is created.
     */
    public static Path tempSibling(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        // NAME_MAX (255) counts bytes: a 255-byte target name must leave room for the dot and suffix.
        String name = utf8Prefix(target.getFileName().toString(), 200);
        return dir.resolve("." + name + ".tmp-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
    }

    /** The longest prefix of {@code text} that is at most {@code maxBytes} in UTF-8, cut between characters. */
    private static String utf8Prefix(String text, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    /**
     * Writes {@code body} to a temp file beside {@code target} and renames it over {@code target}.
     * On failure the temp file is removed and {@code target} is untouched.
     */
    public static void write(Path target, boolean durable, Body body) throws IOException {
        Path temp = createTemp(target);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                body.writeTo(out);
                out.flush();
                if (durable) {
                    channel.force(true);
                }
            }
            rename(temp, target, durable);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Creates an empty temp file beside {@code target}; retries on the (unlikely) name clash. */
    public static Path createTemp(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = tempSibling(target);
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes a finished temp file the target: fsync the temp file (when {@code durable}), rename it
     * over the target, fsync the directory (when {@code durable}).
     */
    public static void commit(Path temp, Path target, boolean durable) throws IOException {
        if (durable && !Files.isSymbolicLink(temp)) {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
        rename(temp, target, durable);
    }

    /** Moves a finished temp file over {@code target} in one step; with {@code durable}, the directory entry too is synced. */
    public static void rename(Path temp, Path target, boolean durable) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) {
            fsyncDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** Makes a directory's entries (a rename, a new file) durable. Linux allows fsync on a directory. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
