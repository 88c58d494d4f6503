package dev.closurewrap.bundle;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A sink whose output must be written in an order of its own (archives, binary caches): entries
 * are collected in a {@link StagedTree} spooled beside the output, and the subclass writes the
 * output from the complete tree in {@link #finish}.
 */
abstract class StagedSink implements OutputSink {
    /** Every entry added so far; complete once {@link StagedTree#complete} is called. */
    protected final StagedTree tree;

    /** Spools beside {@code output} (absolute), on its file system. */
    protected StagedSink(Path output) {
        this.tree = new StagedTree(AtomicFiles.tempSibling(output.resolveSibling(output.getFileName() + ".spool")));
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
    public void close() throws IOException {
        tree.close();
    }
}
