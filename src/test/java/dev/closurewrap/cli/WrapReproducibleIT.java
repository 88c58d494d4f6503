package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproducible tarballs: the closure is copied twice, entries created in different orders and with
 * different modification times, and each copy is bind-mounted over {@code /nix/store} (in a mount
 * namespace of its own) for one run with a different {@code -j}. Both tarballs, and the one made
 * from the real store, are the same bytes.
 */
class WrapReproducibleIT {
    @TempDir
    Path dir;

    @Test
    void tarballs_fromDifferentlyOrderedAndTimedCopies_withDifferentJobs_areIdentical() throws IOException {
        List<Path> closure = TestClosure.closure();
        Path copyA = copy(closure, dir.resolve("store-a"), false, 1);
        Path copyB = copy(closure, dir.resolve("store-b"), true, 2);
        Path somePath = closure.get(0).getFileName();
        assertNotEquals(Files.getLastModifiedTime(copyA.resolve(somePath), LinkOption.NOFOLLOW_LINKS),
                Files.getLastModifiedTime(copyB.resolve(somePath), LinkOption.NOFOLLOW_LINKS));

        Path tarA = wrapOver(copyA, "a.tar.zst", "1");
        Path tarB = wrapOver(copyB, "b.tar.zst", "2");
        // And from the real store, by the same command (the manifest names the tool's version).
        List<String> direct = new ArrayList<>(List.of(launcher().toString(), "--relative", "-q", "-j", "2",
                "-o", dir.resolve("c.tar.zst").toString(), "--state", dir.resolve("state-c").toString()));
        direct.addAll(WrapTesting.roots());
        TestClosure.Output c = TestClosure.execute(direct, Map.of());
        assertEquals(0, c.exitCode(), c.stderr());

        byte[] a = Files.readAllBytes(tarA);
        assertArrayEquals(a, Files.readAllBytes(tarB));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("c.tar.zst")));
    }

    /** Runs closure-wrap with {@code store} bind-mounted over the store directory. */
    private Path wrapOver(Path store, String name, String jobs) throws IOException {
        Path out = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount --make-rprivate / && mount --bind \"$0\" \"$1\" && shift && exec \"$@\"",
                store.toString(), TestClosure.storeDir().toString(), launcher().toString(),
                "--relative", "-q", "-j", jobs, "-o", out.toString(), "--state", dir.resolve("state-" + name).toString()));
        command.addAll(WrapTesting.roots());
        TestClosure.Output o = TestClosure.execute(command, Map.of());
        assertEquals(0, o.exitCode(), o.stderr());
        return out;
    }

    /**
     * Copies the store paths into {@code target}: children created in sorted or reversed order, every
     * entry with a random modification time.
     */
    private static Path copy(List<Path> paths, Path target, boolean reversed, long seed) throws IOException {
        Files.createDirectories(target);
        Random random = new Random(seed);
        List<Path> order = new ArrayList<>(paths);
        Collections.sort(order);
        if (reversed) {
            Collections.reverse(order);
        }
        for (Path p : order) {
            copyTree(p, target.resolve(p.getFileName().toString()), reversed, random);
        }
        return target;
    }

    private static void copyTree(Path source, Path target, boolean reversed, Random random) throws IOException {
        if (Files.isSymbolicLink(source)) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            return;
        }
        if (Files.isDirectory(source)) {
            Files.createDirectory(target);
            List<Path> children;
            try (Stream<Path> list = Files.list(source)) {
                children = new ArrayList<>(list.sorted().toList());
            }
            if (reversed) {
                Collections.reverse(children);
            }
            for (Path child : children) {
                copyTree(child, target.resolve(child.getFileName().toString()), reversed, random);
            }
        } else {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.setLastModifiedTime(target, FileTime.fromMillis(1_000_000_000_000L + random.nextInt(1_000_000_000)));
    }

    private static Path launcher() {
        String home = System.getenv("CLOSURE_WRAP_HOME");
        return Path.of(home == null ? "target" : home, "closure-wrap").toAbsolutePath();
    }
}
