package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect --json} agrees with {@code readelf -h -l -d -V -W} on every ELF file under /usr/bin,
 * /usr/lib/x86_64-linux-gnu and /nix/store (when present). Symbolic links are skipped: their targets
 * are visited on their own.
 */
class InspectReadelfIT {
    private static final List<Path> ROOTS = List.of(Path.of("/usr/bin"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/nix/store"));

    @Test
    void everyHostElfFile_inspectAgreesWithReadelf() throws Exception {
        Readelf.requireTool("readelf");
        List<Path> files = new ArrayList<>();
        for (Path root : ROOTS) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p))
                        .filter(Readelf::hasElfMagic).sorted().forEach(files::add);
            }
        }
        assertTrue(files.size() > 100, "too few ELF files found to mean anything: " + files.size());

        long started = System.nanoTime();
        List<String> failures = new ArrayList<>();
        Map<String, Readelf.Facts> ours = Readelf.inspect(files, failures);
        long oursNanos = System.nanoTime() - started;
        started = System.nanoTime();
        Map<String, Readelf.Facts> theirs = Readelf.readelf(files);
        long theirsNanos = System.nanoTime() - started;

        int compared = 0;
        for (Map.Entry<String, Readelf.Facts> e : ours.entrySet()) {
            failures.addAll(Readelf.differences(e.getKey(), e.getValue(), theirs.get(e.getKey())));
            compared++;
        }
        System.out.printf("InspectReadelfIT: compared %d ELF files (inspect %d ms in-process, readelf %d ms)%n",
                compared, oursNanos / 1_000_000, theirsNanos / 1_000_000);
        // Guard against a comparison that agrees because neither side found anything.
        long withNeeded = theirs.values().stream().filter(f -> !f.needed().isEmpty()).count();
        long withInterpreter = theirs.values().stream().filter(f -> f.interpreter() != null).count();
        long withSoname = theirs.values().stream().filter(f -> f.soname() != null).count();
        long withPath = theirs.values().stream().filter(f -> f.rpath() != null || f.runpath() != null).count();
        long withVersions = theirs.values().stream().filter(f -> !f.versionNeeds().isEmpty()).count();
        System.out.printf("InspectReadelfIT: readelf saw needed in %d, interpreter in %d, soname in %d, "
                + "rpath/runpath in %d, version needs in %d%n", withNeeded, withInterpreter, withSoname, withPath,
                withVersions);
        assertTrue(withNeeded > 0 && withInterpreter > 0 && withSoname > 0 && withVersions > 0,
                "readelf output was not understood");
        assertTrue(failures.isEmpty(), failures.size() + " mismatches among " + files.size() + " files:\n"
                + String.join("\n", failures.subList(0, Math.min(failures.size(), 200))));
    }
}
