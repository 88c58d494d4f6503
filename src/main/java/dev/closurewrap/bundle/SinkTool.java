package dev.closurewrap.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Copies a host directory into any sink: the entry point of {@code integration/bench-sinks.sh}
 * until the wrap job is wired to the command line.
 *
 * <pre>java -cp target/classes:target/lib/* dev.closurewrap.bundle.SinkTool [--link] [--no-fsync] [--level N] SRC OUT</pre>
 */
public final class SinkTool {
    private SinkTool() {}

    public static void main(String[] args) throws IOException {
        boolean link = false;
        boolean durable = true;
        Optional<Integer> level = Optional.empty();
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            switch (args[i]) {
                case "--link" -> link = true;
                case "--no-fsync" -> durable = false;
                case "--level" -> level = Optional.of(Integer.parseInt(args[++i]));
                default -> usage();
            }
        }
        if (args.length - i != 2) {
            usage();
        }
        Path source = Path.of(args[i]);
        OutputForm form = Sinks.formOf(args[i + 1]);
        long start = System.nanoTime();
        SinkSummary summary;
        try (OutputSink sink = Sinks.open(form, new Sinks.Options(durable, link, level, Optional.empty()))) {
            HostTree.add(source, Optional.empty(), sink);
            summary = sink.finish();
        }
        System.err.printf("%s: %d dirs, %d files (%d hard-linked), %d symlinks, %,d content bytes, %,d output bytes, %.2f s%n",
                args[i + 1], summary.directories(), summary.files(), summary.hardLinked(), summary.symlinks(),
                summary.contentBytes(), summary.outputBytes(), (System.nanoTime() - start) / 1e9);
    }

    private static void usage() {
        System.err.println("usage: SinkTool [--link] [--no-fsync] [--level N] SRC_DIR OUT");
        System.exit(2);
    }
}
