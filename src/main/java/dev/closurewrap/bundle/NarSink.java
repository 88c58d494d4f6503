package dev.closurewrap.bundle;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
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
 * A NAR of one store path of the output tree ({@code *.nar}, {@code *.nar.xz}, {@code *.nar.zst}):
 * the tree of the root declared with {@link #roots} (else the one root the written
 * {@code closure-wrap.json} lists, else the only {@code store/<hash>-<name>} written) becomes the
 * archive's root node, be it a directory, a file or a symlink; the rest of the
 * tree (other store paths, launchers, manifest) is not in it. A tree written without any
 * {@code store/} entry becomes the root directory as a whole. Collects metadata like
 * {@link TarSink}, then walks the tree in NAR order (per directory, names by bytes; depth first)
 * and hands each node to a {@link NarTreeWriter} ({@link NarOutput}); written to a temp file,
 * renamed at the end.
 */
public final class NarSink extends StagedSink {
    private final Path target;
    private final Compression compression;
    private final int level;
    private final boolean durable;
    private final NarTreeWriter.Factory writers;
    private List<EntryPath> declaredRoots = List.of();
    static final String STORE = "store";

    public NarSink(Path target, Compression compression, int level, boolean durable, NarTreeWriter.Factory writers) {
        super(target.toAbsolutePath());
        this.target = target.toAbsolutePath();
        this.compression = compression;
        this.level = level;
        this.durable = durable;
        this.writers = writers;
    }

    @Override
    public void roots(List<EntryPath> roots) {
        declaredRoots = List.copyOf(roots);
    }

    @Override
    public SinkSummary finish() throws IOException {
        NavigableMap<EntryPath, StagedTree.Node> entries = tree.complete();
        Optional<EntryPath> root = root(entries, declaredRoots, target.toString());
        Map<Optional<EntryPath>, List<EntryPath>> children = children(entries);
        long[] counts = new long[4];
        Path temp = AtomicFiles.createTemp(target);
        try {
            try (OutputStream file = Files.newOutputStream(temp);
                 OutputStream out = compression.wrap(new BufferedOutputStream(file, 256 * 1024), level)) {
                NarTreeWriter nar = writers.open(out);
                if (root.isPresent()) {
                    writeNode(nar, root.get(), entries, children, counts);
                } else {
                    nar.beginDirectory();
                    writeChildren(nar, Optional.empty(), entries, children, counts);
                    nar.endDirectory();
                }
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

    /**
     * The entry whose tree becomes the archive's root: the one declared root; else the one store
     * path under {@code store/}; empty (the whole tree) when nothing was written under {@code store/}.
     */
    static Optional<EntryPath> root(NavigableMap<EntryPath, StagedTree.Node> entries, List<EntryPath> declared,
            String output) throws IOException {
        if (!declared.isEmpty()) {
            if (declared.size() != 1) {
                throw new UnsupportedInputException(output, "a NAR holds one store path, but the job has "
                        + declared.size() + " roots: write a directory, a tarball or a file:// binary cache");
            }
            if (!entries.containsKey(declared.get(0))) {
                throw new IOException(output + ": the root " + declared.get(0) + " was never written");
            }
            return Optional.of(declared.get(0));
        }
        EntryPath store = EntryPath.parse(STORE);
        if (!entries.containsKey(store)) {
            return Optional.empty();
        }
        List<EntryPath> storePaths = storePaths(entries);
        Optional<EntryPath> fromManifest = manifestRoot(entries);
        if (storePaths.size() > 1 && fromManifest.isPresent() && entries.containsKey(fromManifest.get())) {
            return fromManifest;
        }
        if (storePaths.size() != 1) {
            throw new UnsupportedInputException(output, "a NAR holds one store path, but " + storePaths.size()
                    + " were written and no root was declared");
        }
        return Optional.of(storePaths.get(0));
    }

    /**
     * The one root the wrap job's manifest ({@code closure-wrap.json}, its {@code roots} array of
     * store paths) names, as {@code store/<hash>-<name>}; empty when there is no manifest or it names
     * another number of roots.
     */
    static Optional<EntryPath> manifestRoot(NavigableMap<EntryPath, StagedTree.Node> entries) {
        StagedTree.Node node = entries.get(EntryPath.parse(BundleVerifier.MANIFEST));
        if (!(node instanceof StagedTree.RegularFile file) || file.size() > (64L << 20)) {
            return Optional.empty();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode roots = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(file.source().toFile()).get("roots");
            if (roots == null || !roots.isArray() || roots.size() != 1 || !roots.get(0).isTextual()) {
                return Optional.empty();
            }
            String root = roots.get(0).asText();
            String base = root.substring(root.lastIndexOf('/') + 1);
            return base.isEmpty() ? Optional.empty() : Optional.of(EntryPath.of(ByteString.utf8(STORE + "/" + base)));
        } catch (IOException e) {
            return Optional.empty(); // not a manifest we can read: the other rules decide
        }
    }

    /** The entries directly under {@code store/}, in byte order. */
    static List<EntryPath> storePaths(NavigableMap<EntryPath, StagedTree.Node> entries) {
        EntryPath store = EntryPath.parse(STORE);
        List<EntryPath> result = new ArrayList<>();
        for (EntryPath p : entries.tailMap(store, false).keySet()) {
            if (!p.bytes().startsWith(store.bytes().concat(ByteString.utf8("/")))) {
                if (p.bytes().compareTo(store.bytes().concat(ByteString.utf8("0"))) >= 0) {
                    break; // past every "store/..." path ('0' follows '/')
                }
                continue; // "store-x", "store.y": siblings that sort between
            }
            if (p.depth() == 2) {
                result.add(p);
            }
        }
        return result;
    }

    /** Children per directory, each list in name-byte order (siblings sort by name within path order). */
    static Map<Optional<EntryPath>, List<EntryPath>> children(NavigableMap<EntryPath, StagedTree.Node> entries) {
        Map<Optional<EntryPath>, List<EntryPath>> children = new HashMap<>();
        for (EntryPath path : entries.keySet()) {
            children.computeIfAbsent(path.parent(), k -> new ArrayList<>()).add(path);
        }
        return children;
    }

    /** One node and everything below it, as the NAR grammar orders it. */
    static void writeNode(NarTreeWriter nar, EntryPath path, Map<EntryPath, StagedTree.Node> entries,
            Map<Optional<EntryPath>, List<EntryPath>> children, long[] counts) throws IOException {
        StagedTree.Node node = entries.get(path);
        if (node instanceof StagedTree.Directory) {
            counts[0]++;
            nar.beginDirectory();
            writeChildren(nar, Optional.of(path), entries, children, counts);
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
    }

    private static void writeChildren(NarTreeWriter nar, Optional<EntryPath> dir, Map<EntryPath, StagedTree.Node> entries,
                                      Map<Optional<EntryPath>, List<EntryPath>> children, long[] counts) throws IOException {
        for (EntryPath child : children.getOrDefault(dir, List.of())) {
            nar.beginEntry(child.name());
            writeNode(nar, child, entries, children, counts);
            nar.endEntry();
        }
    }
}
