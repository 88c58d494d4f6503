package dev.closurewrap.bundle;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.ByteString;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * A NAR of the output tree ({@code *.nar}, {@code *.nar.xz}, {@code *.nar.zst}): the root node is a
 * directory holding the added entries. Collects metadata like {@link TarSink}, then walks the tree
 * in NAR order (per directory, names by bytes; depth first) and hands each node to a
 * {@link NarTreeWriter} from the {@code nar} package; written to a temp file, renamed at the end.
 */
public final class NarSink implements OutputSink {
    private final Path target;
    private final Compression compression;
    private final int level;
    private final boolean durable;
    private final NarTreeWriter.Factory writers;
    private final StagedTree tree;

    public NarSink(Path target, Compression compression, int level, boolean durable, NarTreeWriter.Factory writers) {
        this.target = target.toAbsolutePath();
        this.compression = compression;
        this.level = level;
        this.durable = durable;
        this.writers = writers;
        this.tree = new StagedTree(AtomicFiles.tempSibling(this.target.resolveSibling(this.target.getFileName() + ".spool")));
    }

    @Override
    public void directory(EntryPath path) throws IOException {
        tree.directory(path);
    }

    @Override
    public void file(EntryPath path, boolean executable, Path source) throws IOException {
        tree.file(path, executable, source);
    }

    @Override
    public void file(EntryPath path, boolean executable, InputStream content) throws IOException {
        tree.file(path, executable, content);
    }

    @Override
    public void symlink(EntryPath path, ByteString target) throws IOException {
        tree.symlink(path, target);
    }

    @Override
    public SinkSummary finish() throws IOException {
        NavigableMap<EntryPath, StagedTree.Node> entries = tree.complete();
        // Children per directory, each list in name-byte order (the map is in path-byte order,
        // and siblings' relative order is the order of their names).
        Map<Optional<EntryPath>, List<EntryPath>> children = new HashMap<>();
        for (EntryPath path : entries.keySet()) {
            children.computeIfAbsent(path.parent(), k -> new ArrayList<>()).add(path);
        }
        long[] counts = new long[4];
        Path temp = AtomicFiles.createTemp(target);
        try {
            try (OutputStream file = Files.newOutputStream(temp);
                 OutputStream out = compression.wrap(new BufferedOutputStream(file, 256 * 1024), level)) {
                NarTreeWriter nar = writers.open(out);
                nar.beginDirectory();
                writeChildren(nar, Optional.empty(), entries, children, counts);
                nar.endDirectory();
                nar.finish();
            }
            AtomicFiles.commit(temp, target, durable);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            tree.close();
        }
        return new SinkSummary(counts[0], counts[1], counts[2], counts[3], 0, Files.size(target));
    }

    private static void writeChildren(NarTreeWriter nar, Optional<EntryPath> dir, Map<EntryPath, StagedTree.Node> entries,
                                      Map<Optional<EntryPath>, List<EntryPath>> children, long[] counts) throws IOException {
        for (EntryPath child : children.getOrDefault(dir, List.of())) {
            nar.beginEntry(child.name());
            StagedTree.Node node = entries.get(child);
            if (node instanceof StagedTree.Directory) {
                counts[0]++;
                nar.beginDirectory();
                writeChildren(nar, Optional.of(child), entries, children, counts);
                nar.endDirectory();
            } else if (node instanceof StagedTree.Symlink link) {
                counts[2]++;
                nar.symlink(link.target());
            } else {
                StagedTree.RegularFile file = (StagedTree.RegularFile) node;
                counts[1]++;
                counts[3] += file.size();
                try (InputStream in = Files.newInputStream(file.source())) {
                    nar.regular(file.executable(), file.size(), in);
                }
            }
            nar.endEntry();
        }
    }

    @Override
    public void close() throws IOException {
        tree.close();
    }
}
