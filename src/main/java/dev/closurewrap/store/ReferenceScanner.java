package dev.closurewrap.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * Finds which hash parts a store path's tree mentions, as Nix does when it registers a build
 * output: every file's contents, every entry name and every symlink target, one pass per file,
 * streamed in 256 KiB reads.
 */
public final class ReferenceScanner {
    private static final int BUFFER = 256 * 1024;

    private final HashPartMatcher matcher;

    public ReferenceScanner(HashPartMatcher matcher) {
        this.matcher = matcher;
    }

    /** The hash parts found anywhere in the tree at {@code root} (a directory, file or symlink). */
    public Set<String> scan(Path root) throws IOException {
        HashPartMatcher.Scan scan = matcher.scan();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                name(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                name(file);
                if (attrs.isSymbolicLink()) {
                    feed(Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8));
                } else if (attrs.isRegularFile()) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
                            LinkOption.NOFOLLOW_LINKS)) {
                        buffer.clear();
                        while (channel.read(buffer) > 0 || buffer.position() > 0) {
                            buffer.flip();
                            scan.update(buffer.array(), 0, buffer.limit());
                            buffer.clear();
                        }
                    }
                    scan.endOfStream();
                }
                return FileVisitResult.CONTINUE;
            }

            private void name(Path path) {
                if (!path.equals(root) && path.getFileName() != null) {
                    feed(path.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                }
            }

            private void feed(byte[] bytes) {
                scan.update(bytes, 0, bytes.length);
                scan.endOfStream();
            }
        });
        return Set.copyOf(scan.hits());
    }
}
