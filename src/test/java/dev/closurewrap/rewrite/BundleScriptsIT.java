package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleScriptsIT {
    @TempDir
    Path temp;

    @Test
    void scratch_printBundle() throws IOException {
        TestBundle bundle = TestBundle.build(temp.resolve("b"));
        System.out.println(bundle.launchers + "\n" + bundle.shims + "\n" + bundle.scripts);
        Path keep = Path.of("/tmp/rw-scratch");
        TestClosure.run(List.of("rm", "-rf", keep.toString()));
        TestClosure.run(List.of("cp", "-a", bundle.root.toString(), keep.toString()));
    }
}
