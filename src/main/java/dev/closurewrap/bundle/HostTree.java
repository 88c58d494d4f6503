package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;

/** Adds a directory tree from the host file system to a sink, in the file system's own order. */
public final class HostTree {
    private HostTree() {}

    /**
     * Adds everything below {@code dir} under {@code prefix} (or at the top when empty). Symlinks
     * are kept as links; devices, sockets and pipes are refused, as a NAR cannot hold them.
     */
    public static void add(Path dir, java.util.Optional<EntryPath> prefix, OutputSink sink) throws IOException {
        Path base = dir.toAbsolutePath();
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                EntryPath path = entry(base, d, prefix);
                if (path != null) {
                    sink.directory(path);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                EntryPath path = entry(base, f, prefix);
                if (attrs.isSymbolicLink()) {
                    sink.symlink(path, ByteString.utf8(Files.readSymbolicLink(f).toString()));
                } else if (attrs.isRegularFile()) {
                    boolean executable = Files.getPosixFilePermissions(f).contains(PosixFilePermission.OWNER_EXECUTE);
                    sink.file(path, executable, f);
                } else {
                    throw new UnsupportedInputException(f.toString(), "not a regular file, directory or symlink");
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static EntryPath entry(Path base, Path p, java.util.Optional<EntryPath> prefix) throws IOException {
        Path relative = base.relativize(p);
        String rel = relative.toString();
        if (rel.isEmpty()) {
            return prefix.orElse(null);
        }
        ByteString bytes = ByteString.utf8(rel);
        return EntryPath.of(prefix.map(pre -> pre.bytes().concat(ByteString.utf8("/")).concat(bytes)).orElse(bytes));
    }
}
