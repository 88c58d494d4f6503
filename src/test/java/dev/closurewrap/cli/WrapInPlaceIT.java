package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --in-place} is for a build output or a writable copy: a path the Nix database holds is
 * never edited (a root can write into {@code /nix/store}, and the store would no longer match its
 * recorded hashes). The root chosen here is a static program, which the job would not edit anyway,
 * so this test cannot damage the store even where the refusal is missing.
 */
class WrapInPlaceIT {
    @Test
    void inPlace_onAValidStorePath_orADirectoryInIt_isRefused_andTheStoreStillVerifies() throws IOException {
        Path storePath = TestClosure.path("hello-static");
        for (Path root : List.of(storePath, storePath.resolve("bin"))) {
            WrapTesting.Result r = WrapTesting.run("--absolute", "--in-place", "-q", root.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertTrue(r.err().contains(root + ": not supported: " + storePath
                    + " is a valid path of the Nix store"), r.err());
        }
        TestClosure.Output verify = TestClosure.execute(List.of("nix-store", "--verify-path", storePath.toString()),
                Map.of());
        assertEquals(0, verify.exitCode(), verify.stderr());
    }
}
