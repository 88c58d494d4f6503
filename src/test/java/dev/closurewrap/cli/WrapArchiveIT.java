package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code nix-store --export} stream as ROOT: the same bundle as from the store paths themselves. */
class WrapArchiveIT {
    @TempDir
    Path dir;

    @Test
    void exportStream_givesTheSameBundleAsTheStore() throws IOException {
        List<String> export = new ArrayList<>(List.of("sh", "-c", "nix-store --export $(nix-store -qR \"$@\") > \"$0\"",
                dir.resolve("closure.export").toString()));
        export.addAll(WrapTesting.roots());
        TestClosure.run(export);

        WrapTesting.Result fromArchive = WrapTesting.run("--relative", "-q", "-o", dir.resolve("a").toString(),
                dir.resolve("closure.export").toString());
        assertEquals(0, fromArchive.code(), fromArchive.err());
        WrapTesting.Result fromStore = WrapTesting.run(WrapTesting.args(List.of("--relative", "-q", "-o",
                dir.resolve("b").toString()), WrapTesting.roots()));
        assertEquals(0, fromStore.code(), fromStore.err());

        Map<String, String> a = WrapTesting.describeTree(dir.resolve("a"));
        Map<String, String> b = WrapTesting.describeTree(dir.resolve("b"));
        // The manifest names the roots as given; everything else is the same.
        a.remove("closure-wrap.json");
        b.remove("closure-wrap.json");
        assertEquals(b, a);
        assertTrue(a.containsKey("bin/curl") && a.containsKey("bin/file"), a.keySet().toString());
        TestClosure.Output curl = TestClosure.execute(List.of(dir.resolve("a/bin/curl").toString(), "--version"), Map.of());
        assertEquals(0, curl.exitCode(), curl.stderr());
    }
}
