package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Unpacks an archive into a new tree, safely on hostile input:
 * <ul>
 * <li>the tree is built in a fresh private directory beside the target and renamed into place only
 *     once the whole archive has been read and checked, so a failed restore leaves nothing that
 *     looks complete (and the partial tree is deleted);</li>
 * <li>nothing is written outside it: every name was checked by the reader (no {@code /},
 *     {@code .}, {@code ..}, NUL), and each node's parent must be a directory this restore
 *     created, so no path ever runs through a symlink from the archive;</li>
 * <li>files are created with {@code O_CREAT|O_EXCL|O_NOFOLLOW}: an existing file or link is never
 *     opened, let alone written through.</li>
 * </ul>
 * Permissions follow {@code nix-store --restore}: 0666 or 0777 for executables and directories,
 * less the umask.
 */
public final class NarRestorer {
    private static final FileAttribute<Set<java.nio.file.attribute.PosixFilePermission>> EXECUTABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx"));
    private static final FileAttribute<Set<java.nio.file.attribute.PosixFilePermission>> PLAIN =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-"));

    private NarRestorer() {}

    /**
     * Restores the archive read by {@code reader} to {@code target}, which must not exist, and
     * returns the archive's digest (null if the reader does not hash).
     */
    public static NarDigest restore(NarReader reader, Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null || absolute.getFileName() == null) {
            throw new IOException(target + ": cannot restore onto the root directory");
        }
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "restore target already exists");
        }
        // Private (0700) staging directory: nobody else can reach the partial tree.
        Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".partial-");
        NarDigest digest;
        try {
            Path root = staging.resolve("root");
            digest = restoreInto(reader, root);
            Files.move(root, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(staging);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        Files.delete(staging);
        return digest;
    }

    private static NarDigest restoreInto(NarReader reader, Path root) throws IOException {
        // Directories created so far on the way down: a node's parent must be the top one.
        Deque<ByteString> dirPaths = new ArrayDeque<>();
        Deque<Path> dirFiles = new ArrayDeque<>();
        for (NarNode node; (node = reader.next()) != null; ) {
            Path file;
            if (node.path().length() == 0) {
                file = root;
            } else {
                ByteString parent = NarPaths.parent(node.path());
                while (!dirPaths.isEmpty() && !dirPaths.peek().equals(parent)) {
                    dirPaths.pop();
                    dirFiles.pop();
                }
                if (dirFiles.isEmpty()) {
                    throw new IllegalStateException("reader yielded " + node.path() + " outside any directory");
                }
                file = FileNames.resolve(dirFiles.peek(), node.name());
            }
            if (node instanceof NarNode.Directory) {
                Files.createDirectory(file);
                dirPaths.push(node.path());
                dirFiles.push(file);
            } else if (node instanceof NarNode.Symlink link) {
                Files.createSymbolicLink(file, FileNames.targetPath(link.target(), reader.name() + "!/" + link.path()));
            } else if (node instanceof NarNode.Regular regular) {
                try (FileChannel ch = FileChannel.open(file, CREATE_NEW_NOFOLLOW, regular.executable() ? EXECUTABLE : PLAIN);
                     OutputStream out = Channels.newOutputStream(ch)) {
                    reader.contents().transferTo(out);
                }
            }
        }
        return reader.hashing() ? reader.digest() : null;
    }

    private static final Set<java.nio.file.OpenOption> CREATE_NEW_NOFOLLOW = Set.of(
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

    /** Deletes the staging directory and the partial tree in it. Never follows links. */
    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
