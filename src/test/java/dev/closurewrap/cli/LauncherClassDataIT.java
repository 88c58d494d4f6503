package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher maps the build's class-data archive, and picocli's classes (Java 5 class files,
 * which a dynamic archive of JDK 17 leaves out) come from it, not from their jar.
 */
class LauncherClassDataIT {
    @Test
    void launcher_takesPicocliAndOurClassesFromTheArchive() throws IOException {
        Path launcher = Path.of("target", "closure-wrap").toAbsolutePath();
        assertTrue(Files.isRegularFile(launcher.resolveSibling("closure-wrap.jsa")),
                "the build made no class-data archive (pom.xml, execution class-data-archive)");
        TestClosure.Output o = TestClosure.execute(List.of(launcher.toString(), "--version"),
                Map.of("JAVA_OPTS", "-Xlog:class+load=info"));
        assertEquals(0, o.exitCode(), o.stderr());
        List<String> fromJars = o.stdout().lines()
                .filter(l -> l.contains("source: file:") || l.contains("source: jar:"))
                .filter(l -> l.contains(" picocli.") || l.contains(" dev.closurewrap."))
                .toList();
        long fromArchive = o.stdout().lines().filter(l -> l.contains("source: shared objects file"))
                .filter(l -> l.contains(" picocli.") || l.contains(" dev.closurewrap.")).count();
        // A few classes the training run never loads may come from the jars; without the archive
        // (or with JDK 17's dynamic one, which skips picocli's) it is about 180.
        assertTrue(fromJars.size() <= 10 && fromArchive >= 100,
                fromArchive + " from the archive, from the jars: " + fromJars);
        assertTrue(o.stdout().contains("picocli.CommandLine source: shared objects file"), o.stdout());
    }
}
