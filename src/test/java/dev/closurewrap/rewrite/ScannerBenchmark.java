package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code integration/bench-scanner.sh} runs this: scans FILE with {@link StoreReferenceScanner}
 * a few times in one JVM and prints the reference count and the best throughput, so the figure is
 * the scanner's, not the JVM's start-up.
 */
public final class ScannerBenchmark {
    private ScannerBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        StoreReferenceScanner scanner = new StoreReferenceScanner(ByteString.utf8(args.length > 1 ? args[1] : "/nix/store"));
        long size = Files.size(file);
        long best = Long.MAX_VALUE;
        long[] count = new long[1];
        for (int run = 0; run < 5; run++) {
            count[0] = 0;
            long start = System.nanoTime();
            try (InputStream in = Files.newInputStream(file)) {
                scanner.scan(in, reference -> count[0]++);
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf("references %d, bytes %d, best of 5: %.3f s, %.0f MB/s%n", count[0], size, best / 1e9,
                size / (best / 1e9) / 1e6);
    }
}
