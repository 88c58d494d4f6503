package dev.closurewrap.cli;

import dev.closurewrap.bundle.WrapJob;
import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.GraphBuilder;
import dev.closurewrap.graph.GraphWriter;
import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.store.ArchiveSource;
import dev.closurewrap.store.ClosureSource;
import dev.closurewrap.store.HostSource;
import dev.closurewrap.store.StoreDirSource;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code closure-wrap graph ROOT...}: the global dependency graph of a closure. */
@Command(name = "graph", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "The global dependency graph of the closure of ROOT...: store paths and ELF objects, each",
            "DT_NEEDED edge with how the loader resolves it, every library that does not resolve inside",
            "the closure, and per program the failed lookups at start-up now and after each rewrite.",
            "ROOT is a store path (or a file in one), a plain host program such as /usr/bin/curl, a NAR",
            "file (.nar, .nar.xz|zst|bz2|gz), a nix-store --export stream or a binary cache directory."
        })
final class GraphCommand implements Callable<Integer> {
    enum Format {
        text,
        json,
        dot
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "ROOT", description = "Store paths or host programs.")
    List<Path> roots;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a summary, the default), json (schema in docs/graph.md) or dot (Graphviz).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path output;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Worker threads (default: the number of cores).")
    Integer jobs;

    @Option(names = "--scan-references",
            description = "Find references by scanning file contents for store path hashes, even when Nix is installed.")
    boolean scanReferences;

    @Override
    public Integer call() throws IOException {
        int threads = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, got " + threads);
        }
        DependencyGraph graph;
        if (roots.stream().anyMatch(GraphCommand::isArchive)) {
            // Archives are restored into a private directory that lives as long as the command.
            Path work = Files.createTempDirectory("closure-wrap-graph-");
            try {
                graph = new GraphBuilder(threads).build(new ArchiveSource(archiveRoots(), work).closure());
            } finally {
                deleteTree(work);
            }
        } else {
            GraphBuilder builder = new GraphBuilder(threads);
            graph = builder.build(source(builder).closure());
        }
        if (output == null) {
            Writer out = spec.commandLine().getOut();
            render(graph, out);
        } else {
            // Written beside the target and renamed, so a failed run never leaves half a file.
            AtomicFiles.write(output, false, stream -> {
                Writer out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                render(graph, out);
                out.flush();
            });
        }
        return ExitCodes.OK;
    }

    private void render(DependencyGraph graph, Writer out) throws IOException {
        switch (format) {
            case json -> GraphWriter.json(graph, out);
            case dot -> GraphWriter.dot(graph, out);
            case text -> GraphWriter.summary(graph, out);
        }
    }

    private static boolean isArchive(Path root) {
        try {
            return StoreDirSource.storePathOf(root).isEmpty() && ArchiveSource.isArchive(root);
        } catch (IOException e) {
            return false;
        }
    }

    private List<Path> archiveRoots() {
        for (Path root : roots) {
            if (!isArchive(root)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "archives cannot be mixed with store paths or host programs: " + root);
            }
        }
        return roots;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Store roots (all in one store) or host programs. */
    private ClosureSource source(GraphBuilder builder) throws IOException {
        List<Path> storeRoots = new ArrayList<>();
        List<Path> hostRoots = new ArrayList<>();
        Path storeDir = null;
        for (Path root : roots) {
            Optional<Path> storePath = StoreDirSource.storePathOf(root);
            if (storePath.isPresent()) {
                Path dir = storePath.get().getParent();
                if (storeDir != null && !storeDir.equals(dir)) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "roots in two stores: " + storeDir + " and " + dir);
                }
                storeDir = dir;
                storeRoots.add(root);
            } else {
                WrapJob.checkHostRoot(root.toString());
                hostRoots.add(root);
            }
        }
        if (!storeRoots.isEmpty() && !hostRoots.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "store paths and host programs cannot be mixed: " + hostRoots.get(0) + " is not in " + storeDir);
        }
        if (!hostRoots.isEmpty()) {
            return new HostSource(hostRoots);
        }
        return new StoreDirSource(storeDir, storeRoots,
                scanReferences ? StoreDirSource.References.SCAN : StoreDirSource.References.AUTO,
                builder.referenceFinder());
    }
}
