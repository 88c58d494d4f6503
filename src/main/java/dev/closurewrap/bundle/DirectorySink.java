package dev.closurewrap.bundle;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The output tree written as a directory. Each file appears whole or not at all (temp file beside
 * it, then rename), so an interrupted job leaves only complete files and a resumed one replaces
 * them safely. Files get mode 0555/0444, directories 0755.
 *
 * <p>In link mode a file given by path is hard-linked instead of copied when the link would carry
 * the right mode (exactly 0444 or 0555, as store files have), falling back to a copy when linking fails (another
 * file system, link count limit, permission). A hard link shares the inode: use it only for sources
 * that are never modified, such as store files that need no rewrite.
 *
 * <p>With {@code durable} a file's content is fsynced before its entry appears, so an entry that
 * is there is whole. An entry that replaced an older one is fsynced before the call returns: after
 * a power cut it could otherwise show the old content, and a resume would take that for this
 * run's. A new entry's directory is fsynced once, by {@link #finish}: lost to a power cut, the
 * entry is missing, which a resume notices and redoes (the checkpoint protocol,
 * {@code dev.closurewrap.checkpoint.CheckpointStore}); one directory fsync per entry was a third
 * of the job's fsync time.
 * Thread-safe: distinct paths may be written concurrently.
 */
public final class DirectorySink implements OutputSink {
    private static final int COPY_CHUNK = 64 * 1024 * 1024;

    private final Path root;
    private final boolean link;
    private final boolean durable;
    private final LongAdder directories = new LongAdder();
    private final LongAdder files = new LongAdder();
    private final LongAdder symlinks = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder linked = new LongAdder();
    /** Directories with new entries not yet fsynced (see the class comment). */
    private final Set<Path> unsyncedDirectories = ConcurrentHashMap.newKeySet();

    /**
     * @param root the output directory; created if missing, existing content is kept and replaced per entry
     * @param link hard-link files given by path where possible
     * @param durable fsync each file before it appears, and the directories (see the class comment)
     */
    public DirectorySink(Path root, boolean link, boolean durable) throws IOException {
        this.root = root.toAbsolutePath();
        this.link = link;
        this.durable = durable;
        Files.createDirectories(this.root);
    }

    @Override
    public void directory(EntryPath path) throws IOException {
        Path dir = path.under(root);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            ensureParent(dir);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(path + ": a file or symlink is in the way of this directory", e);
                }
            }
            entryAdded(dir, false);
        }
        Files.setPosixFilePermissions(dir, permissions(Reproducible.DIRECTORY_MODE));
        directories.increment();
    }

    @Override
    public void file(EntryPath path, boolean executable, Path source) throws IOException {
        file(path, executable, source, true);
    }

    /**
     * {@link #file(EntryPath, boolean, Path)}, where {@code mayLink} false makes a copy even in link
     * mode: for a source whose inode other outputs share already.
     */
    public void file(EntryPath path, boolean executable, Path source, boolean mayLink) throws IOException {
        Path target = path.under(root);
        ensureParent(target);
        long size = Files.size(source);
        if (link && mayLink && linkable(source, executable) && tryLink(source, target)) {
            linked.increment();
        } else {
            Path temp = AtomicFiles.tempSibling(target);
            try {
                try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                     FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    // transferTo uses copy_file_range/sendfile: no copy through the Java heap.
                    for (long done = 0; done < size; ) {
                        long n = in.transferTo(done, Math.min(COPY_CHUNK, size - done), out);
                        if (n <= 0) {
                            throw new IOException(path + ": " + source + " shrank while copying: expected "
                                    + String.format("%,d", size) + " bytes, got " + String.format("%,d", done));
                        }
                        done += n;
                    }
                    if (durable) {
                        out.force(true);
                    }
                }
                Files.setPosixFilePermissions(temp, permissions(Reproducible.fileMode(executable)));
                boolean replaced = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
                AtomicFiles.commit(temp, target, false);
                entryAdded(target, replaced);
            } catch (FileAlreadyExistsException e) {
                throw e; // the random temp name is taken: not ours to delete
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }
        files.increment();
        bytes.add(size);
    }

    @Override
    public void file(EntryPath path, boolean executable, InputStream content) throws IOException {
        Path target = path.under(root);
        ensureParent(target);
        long[] size = {0};
        Path temp = AtomicFiles.createTemp(target);
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
                size[0] = content.transferTo(out);
            }
            place(temp, target, executable);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        files.increment();
        bytes.add(size[0]);
    }

    /** Makes a file's content at a path it is given (one that does not exist yet). */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(Path file) throws IOException;
    }

    /**
     * A file whose content {@code writer} makes in place, at a temp name beside the entry, instead
     * of being made elsewhere and copied in: the bytes are written once. The entry appears whole,
     * as with {@link #file(EntryPath, boolean, Path)}; nothing is left when {@code writer} fails.
     *
     * @return the entry's file in the output
     */
    public Path write(EntryPath path, boolean executable, ContentWriter writer) throws IOException {
        Path target = path.under(root);
        ensureParent(target);
        Path temp = AtomicFiles.tempSibling(target);
        try {
            writer.writeTo(temp);
            place(temp, target, executable);
        } finally {
            Files.deleteIfExists(temp);
        }
        files.increment();
        bytes.add(Files.size(target));
        return target;
    }

    /** A finished temp file made the entry: output mode, content synced (durable), renamed into place. */
    private void place(Path temp, Path target, boolean executable) throws IOException {
        Files.setPosixFilePermissions(temp, permissions(Reproducible.fileMode(executable)));
        if (durable) {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
        boolean replaced = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        AtomicFiles.commit(temp, target, false);
        entryAdded(target, replaced);
    }

    @Override
    public void symlink(EntryPath path, ByteString target) throws IOException {
        if (target.length() == 0 || target.contains((byte) 0)) {
            throw new IOException(path + ": symlink target must be non-empty and without NUL bytes");
        }
        Path link = path.under(root);
        ensureParent(link);
        try {
            // A symlink appears whole: a fresh output needs no temp name and rename.
            Files.createSymbolicLink(link, Path.of(target.utf8()));
            entryAdded(link, false);
            symlinks.increment();
            return;
        } catch (FileAlreadyExistsException e) {
            // An earlier run's entry: replaced below, atomically.
        }
        Path temp = AtomicFiles.tempSibling(link);
        Files.createSymbolicLink(temp, Path.of(target.utf8()));
        try {
            AtomicFiles.commit(temp, link, durable);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        symlinks.increment();
    }

    /** A link shares the inode, so only a source that already has the output's mode (a store file) is linked. */
    private static boolean linkable(Path source, boolean executable) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(source);
        return mode.equals(permissions(Reproducible.fileMode(executable)));
    }

    /** Links {@code source} at {@code target} atomically; false when the file system refuses. */
    private boolean tryLink(Path source, Path target) throws IOException {
        if (durable) {
            // The linked inode may never have been synced by whoever wrote it: before it appears here.
            try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
        try {
            // A link appears whole: a fresh output needs no temp name and rename.
            Files.createLink(target, source);
        } catch (FileAlreadyExistsException e) {
            return replaceByLink(source, target);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // EXDEV (another file system), EMLINK, EPERM: copy instead.
            return false;
        }
        entryAdded(target, false);
        return true;
    }

    /** An entry is already there (an earlier run): link beside it, then rename over it. */
    private boolean replaceByLink(Path source, Path target) throws IOException {
        if (sameInode(target, source)) {
            // Linked by an earlier run; renaming another link of the same inode over it would do
            // nothing and leave the temp link behind (rename(2) on two links of one file).
            entryAdded(target, true);
            return true;
        }
        Path temp = AtomicFiles.tempSibling(target);
        try {
            Files.createLink(temp, source);
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            return false;
        }
        try {
            AtomicFiles.commit(temp, target, false);
            entryAdded(target, true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return true;
    }

    private static boolean sameInode(Path a, Path b) throws IOException {
        Object key = Files.readAttributes(a, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        return key != null && key.equals(Files.readAttributes(b, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
    }

    /** A new or replaced entry is in place: its directory is synced now, or by finish (class comment). */
    private void entryAdded(Path entry, boolean replaced) throws IOException {
        if (!durable) {
            return;
        }
        if (replaced) {
            AtomicFiles.fsyncDirectory(entry.getParent());
        } else {
            unsyncedDirectories.add(entry.getParent());
        }
    }

    private void ensureParent(Path path) throws IOException {
        Path parent = path.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            for (Path p = parent; p.startsWith(root) && !p.equals(root); p = p.getParent()) {
                entryAdded(p, false);
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder(9);
        String rwx = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            s.append((mode & (1 << bit)) != 0 ? rwx.charAt(2 - bit % 3) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    @Override
    public SinkSummary finish() throws IOException {
        if (durable) {
            // Deepest first: a directory's entries before the entry naming it.
            List<Path> pending = new ArrayList<>(unsyncedDirectories);
            pending.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path dir : pending) {
                AtomicFiles.fsyncDirectory(dir);
                unsyncedDirectories.remove(dir);
            }
            AtomicFiles.fsyncDirectory(root);
        }
        return new SinkSummary(directories.sum(), files.sum(), symlinks.sum(), bytes.sum(), linked.sum(), 0);
    }

    @Override
    public void close() {
        // Every entry is already complete on disk; nothing to abandon.
    }
}
