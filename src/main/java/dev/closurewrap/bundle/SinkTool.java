package dev.closurewrap.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Copies a host directory into any sink: the entry point of {@code integration/bench-sinks.sh}
 * until the wrap job is wired to the command line.
 *
 * <pre>java -cp target/classes:target/lib/* dev.closurewrap.bundle.SinkTool [--link] [--no-fsync] [--level N] SRC OUT
 * java -cp ... SinkTool [--no-fsync] [--cache-compression xz|zstd|none] --store STORE_PATH... OUT</pre>
 * With {@code --store}, each source goes to {@code store/<its name>}, as the wrap job lays store
 * paths out (what NAR and {@code file://} outputs take).
 */
public final class SinkTool {
    private SinkTool() {}

    public static void main(String[] args) throws IOException {
        boolean link = false;
        boolean durable = true;
        Optional<Integer> level = Optional.empty();
        boolean store = false;
        Compression cacheCompression = Compression.XZ;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            switch (args[i]) {
                case "--link" -> link = true;
                case "--no-fsync" -> durable = false;
                case "--level" -> level = Optional.of(Integer.parseInt(args[++i]));
                case "--store" -> store = true;
                case "--cache-compression" -> cacheCompression = switch (args[++i]) {
                    case "xz" -> Compression.XZ;
                    case "zstd" -> Compression.ZSTD;
                    case "none" -> Compression.NONE;
                    default -> throw new IllegalArgumentException("--cache-compression xz|zstd|none");
                };
                default -> usage();
            }
        }
        if (args.length - i != 2 && !(store && args.length - i >= 2)) {
            usage();
        }
        String out = args[args.length - 1];
        OutputForm form = Sinks.formOf(out);
        long start = System.nanoTime();
        SinkSummary summary;
        try (OutputSink sink = Sinks.open(form, new Sinks.Options(durable, link, level, Optional.empty(),
                Path.of("/nix/store"), cacheCompression, Optional.empty()))) {
            for (int k = i; k < args.length - 1; k++) {
                Path source = Path.of(args[k]);
                Optional<EntryPath> under = store
                        ? Optional.of(EntryPath.parse("store/" + source.getFileName())) : Optional.empty();
                if (store && !java.nio.file.Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    sink.file(under.get(), java.nio.file.Files.isExecutable(source), source);
                } else {
                    HostTree.add(source, under, sink);
                }
            }
            summary = sink.finish();
        }
        System.err.printf("%s: %d dirs, %d files (%d hard-linked), %d symlinks, %,d content bytes, %,d output bytes, %.2f s%n",
                out, summary.directories(), summary.files(), summary.hardLinked(), summary.symlinks(),
                summary.contentBytes(), summary.outputBytes(), (System.nanoTime() - start) / 1e9);
    }

    private static void usage() {
        System.err.println("usage: SinkTool [--link] [--no-fsync] [--level N] SRC_DIR OUT\n"
                + "       SinkTool [--no-fsync] [--cache-compression xz|zstd|none] --store STORE_PATH... OUT");
        System.exit(2);
    }
}
