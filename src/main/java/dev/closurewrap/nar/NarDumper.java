package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Serialises a file-system tree the way {@code nix-store --dump} does: symlinks are stored, never
 * followed; a regular file is executable when its owner may execute it; directory entries are
 * sorted by their bytes. Sockets, FIFOs and devices cannot be archived.
 */
public final class NarDumper {
    private NarDumper() {}

    /** Writes the tree at {@code root} as one archive (finishing the writer) and returns its digest (null if not hashing). */
    public static NarDigest dump(Path root, NarWriter writer) throws IOException {
        dumpNode(root, ByteString.EMPTY, writer);
        return writer.finish();
    }

    private record Child(ByteString name, Path path) {}

    private static void dumpNode(Path file, ByteString narPath, NarWriter writer) throws IOException {
        PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isRegularFile()) {
            boolean executable = attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                writer.regular(narPath, executable, attrs.size(), ch);
            }
        } else if (attrs.isSymbolicLink()) {
            writer.symlink(narPath, FileNames.targetBytes(Files.readSymbolicLink(file), file.toString()));
        } else if (attrs.isDirectory()) {
            writer.directory(narPath);
            List<Child> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(file)) {
                for (Path entry : entries) {
                    children.add(new Child(FileNames.nameOf(entry), entry));
                }
            }
            children.sort(Comparator.comparing(Child::name));
            for (Child child : children) {
                dumpNode(child.path(), NarPaths.child(narPath, child.name()), writer);
            }
        } else {
            throw new UnsupportedInputException(file.toString(), "a NAR holds only regular files, symlinks and directories");
        }
    }
}
