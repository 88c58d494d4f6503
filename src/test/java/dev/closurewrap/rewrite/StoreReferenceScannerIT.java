package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The scanner against {@code grep -boa} on every file of the test closure. */
class StoreReferenceScannerIT {
    private static final String NIX32 = "[0-9a-df-np-sv-z]";

    private static StoreReferenceScanner scanner() throws IOException {
        return new StoreReferenceScanner(ByteString.utf8(TestClosure.storeDir().toString()));
    }

    /** {@code offset:path} lines, the way grep prints them. */
    private static List<String> grep(Path file) throws IOException {
        String pattern = TestClosure.storeDir() + "/" + NIX32 + "{32}-[A-Za-z0-9+._?=-]+";
        TestClosure.Output output = TestClosure.execute(List.of("grep", "-boaE", pattern, file.toString()), Map.of("LC_ALL", "C"));
        if (output.exitCode() > 1) {
            throw new IOException("grep failed on " + file + ": " + output.stderr());
        }
        return output.stdout().lines().toList();
    }

    private static List<String> scan(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            scanner().scan(in, reference -> lines.add(reference.offset() + ":" + reference.path()));
        }
        return lines;
    }

    @Test
    void scan_appConf_findsLibgreetAtItsOffset() throws IOException {
        Path conf = TestClosure.path("app").resolve("share/app/app.conf");
        String expected = "59:" + TestClosure.path("libgreet");
        assertEquals(List.of(expected), scan(conf));
        assertEquals(List.of(expected), grep(conf));
    }

    @Test
    void scan_everyFileOfTheClosure_agreesWithGrep() throws IOException {
        int files = 0;
        int references = 0;
        for (Path storePath : TestClosure.closure()) {
            try (Stream<Path> walk = Files.walk(storePath)) {
                for (Path file : walk.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    List<String> found = scan(file);
                    assertEquals(grep(file), found, file.toString());
                    files++;
                    references += found.size();
                }
            }
        }
        assertTrue(files > 40, files + " files");
        // curl, libcurl and friends carry their RUNPATHs; the scripts their interpreters.
        assertTrue(references > 50, references + " references");
    }
}
