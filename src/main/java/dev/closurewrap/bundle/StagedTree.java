package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The entries of an archive output, collected in any order and kept sorted by path bytes: only
 * metadata and the path of each file's content are held, never the content. Streamed content is
 * spooled to a temporary directory. Thread-safe.
 */
final class StagedTree implements AutoCloseable {
    /** What one path holds. */
    sealed interface Node permits Directory, RegularFile, Symlink {}

    record Directory() implements Node {}

    /** {@code size} is taken when the file is added and checked again when it is read. */
    record RegularFile(boolean executable, Path source, long size) implements Node {}

    record Symlink(ByteString target) implements Node {
        Symlink {
            if (target.length() == 0 || target.contains((byte) 0)) {
                throw new IllegalArgumentException("symlink target must be non-empty without NUL: " + target);
            }
        }
    }

    private final TreeMap<EntryPath, Node> entries = new TreeMap<>();
    private final Path spoolDir;
    private final AtomicLong spooled = new AtomicLong();
    private boolean spoolCreated;
    /** Guarded by {@code entries}. */
    private boolean abandoned;

    /** {@code spoolDir} is created on first use and removed by {@link #close}. */
    StagedTree(Path spoolDir) {
        this.spoolDir = spoolDir;
    }

    void directory(EntryPath path) throws IOException {
        synchronized (entries) {
            Node old = entries.putIfAbsent(path, new Directory());
            if (old != null && !(old instanceof Directory)) {
                throw new IOException(path + ": added as a directory after being added as " + describe(old));
            }
            entries.notifyAll();
        }
    }

    void file(EntryPath path, boolean executable, Path source) throws IOException {
        if (!Files.isRegularFile(source)) {
            throw new IOException(path + ": content source " + source + " is not a regular file");
        }
        put(path, new RegularFile(executable, source, Files.size(source)));
    }

    void file(EntryPath path, boolean executable, InputStream content) throws IOException {
        Path spool;
        synchronized (this) {
            if (!spoolCreated) {
                Files.createDirectories(spoolDir);
                spoolCreated = true;
            }
        }
        spool = spoolDir.resolve(Long.toString(spooled.incrementAndGet()));
        try (OutputStream out = Files.newOutputStream(spool)) {
            content.transferTo(out);
        }
        put(path, new RegularFile(executable, spool, Files.size(spool)));
    }

    void symlink(EntryPath path, ByteString target) throws IOException {
        if (target.length() == 0 || target.contains((byte) 0)) {
            throw new IOException(path + ": symlink target must be non-empty and without NUL bytes");
        }
        put(path, new Symlink(target));
    }

    private void put(EntryPath path, Node node) throws IOException {
        synchronized (entries) {
            Node old = entries.putIfAbsent(path, node);
            if (old != null) {
                throw new IOException(path + ": added twice (as " + describe(old) + " and as " + describe(node) + ")");
            }
            entries.notifyAll();
        }
    }

    /** Waits until {@code path} has been added and returns what it holds; null once {@link #abandon} was called. */
    Node await(EntryPath path) throws InterruptedException {
        synchronized (entries) {
            Node node;
            while ((node = entries.get(path)) == null && !abandoned) {
                entries.wait();
            }
            return abandoned ? null : node;
        }
    }

    boolean has(EntryPath path) {
        synchronized (entries) {
            return entries.containsKey(path);
        }
    }

    /** Wakes every {@link #await}, which then returns null: the output is given up. */
    void abandon() {
        synchronized (entries) {
            abandoned = true;
            entries.notifyAll();
        }
    }

    /**
     * The complete tree, sorted by path bytes, with a directory entry for every parent that was
     * never added. Fails if a path was added below something that is not a directory.
     */
    NavigableMap<EntryPath, Node> complete() throws IOException {
        synchronized (entries) {
            List<EntryPath> missing = new ArrayList<>();
            for (Map.Entry<EntryPath, Node> e : entries.entrySet()) {
                for (EntryPath p = e.getKey().parent().orElse(null); p != null; p = p.parent().orElse(null)) {
                    Node parent = entries.get(p);
                    if (parent == null) {
                        missing.add(p);
                    } else if (!(parent instanceof Directory)) {
                        throw new IOException(e.getKey() + ": its parent " + p + " is " + describe(parent));
                    } else {
                        break;
                    }
                }
            }
            missing.forEach(p -> entries.putIfAbsent(p, new Directory()));
            return entries;
        }
    }

    private static String describe(Node node) {
        if (node instanceof Directory) {
            return "a directory";
        }
        return node instanceof Symlink ? "a symlink" : "a file";
    }

    /** Removes spooled content. */
    @Override
    public void close() throws IOException {
        if (Files.exists(spoolDir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(spoolDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
