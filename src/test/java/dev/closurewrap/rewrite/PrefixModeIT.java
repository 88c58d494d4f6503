package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefix mode on the test closure: a copy at {@code DIR/store} whose symlinks and scripts name
 * {@code DIR/store} instead of {@code /nix/store}. The ELF interpreters and RUNPATHs are the
 * editor's part, so what runs with {@code /nix/store} hidden here is the static busybox script; the
 * dynamically linked ones are checked to name the new prefix.
 */
class PrefixModeIT {
    @TempDir
    Path temp;

    @Test
    void prefix_symlinksAndScripts_nameTheNewStoreAndNothingElse() throws IOException {
        Path store = temp.resolve("opt/app/store");
        TestBundle.copyTestClosure(store);

        ByteString oldStore = ByteString.utf8(TestClosure.storeDir().toString());
        ByteString newStore = ByteString.utf8(store.toString());
        Set<ByteString> bundled = new HashSet<>();
        TestClosure.closure().forEach(path -> bundled.add(ByteString.utf8(path.getFileName().toString())));
        ScriptRewriter rewriter = new ScriptRewriter(oldStore, bundled);
        int links = 0;
        int scripts = 0;
        try (Stream<Path> walk = Files.walk(store)) {
            for (Path file : walk.toList()) {
                if (Files.isSymbolicLink(file)) {
                    Optional<ByteString> target = Symlinks.prefixedTarget(oldStore, newStore,
                            ByteString.utf8(Files.readSymbolicLink(file).toString()));
                    if (target.isPresent()) {
                        Files.delete(file);
                        Files.createSymbolicLink(file, Path.of(target.get().utf8()));
                        links++;
                    }
                } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(file)
                        && TestBundle.interpreter(Files.readAllBytes(file)).isEmpty()) {
                    byte[] content = Files.readAllBytes(file);
                    if (Shebang.parse(content).isPresent()) {
                        Optional<ScriptRewriter.Result> result = rewriter.prefix(ByteString.utf8(file.toString()), content, newStore);
                        if (result.isPresent()) {
                            assertEquals(List.of(), result.get().referencesLeft(), file.toString());
                            Files.write(file, result.get().content());
                            scripts++;
                        }
                    }
                }
            }
        }
        assertEquals(2, links, "app's bin/curl and bin/hello-musl");
        assertEquals(3, scripts, "app-info, app-busybox, file");

        Path app = store.resolve(TestClosure.path("app").getFileName().toString());
        Path curl = store.resolve(TestClosure.path("curl").getFileName().toString());
        assertEquals(curl.resolve("bin/curl"), Files.readSymbolicLink(app.resolve("bin/curl")));
        String wrapper = Files.readString(store.resolve(TestClosure.path("file").getFileName().toString()).resolve("bin/file"));
        assertTrue(wrapper.startsWith("#! " + store + "/"), wrapper);
        assertTrue(!wrapper.contains(TestClosure.storeDir() + "/"), wrapper);

        Assumptions.assumeTrue("0".equals(TestClosure.run(List.of("id", "-u")).strip()), "needs root for unshare -m");
        Path empty = temp.resolve("empty");
        Files.createDirectories(empty);
        TestClosure.Output output = TestClosure.execute(List.of("unshare", "-m", "/bin/sh", "-c",
                "mount --bind " + empty + " /nix/store && " + app.resolve("bin/app-busybox")), Map.of());
        assertEquals("busybox sh says hello\n", output.stdout(), output.stderr());
    }
}
