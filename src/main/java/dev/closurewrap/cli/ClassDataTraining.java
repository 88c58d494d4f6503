package dev.closurewrap.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The build runs this once under {@code -XX:ArchiveClassesAtExit=target/closure-wrap.jsa}: it runs
 * the common commands on a tiny tree in a temporary directory, so that the classes they load are
 * in the class-data archive the launcher hands to every later JVM (AppCDS: classes are mapped
 * ready-parsed and verified instead of read from the jars, about a fifth of start-up). Failures
 * are ignored: a thinner archive only means a slower start, and no archive at all is fine too.
 */
final class ClassDataTraining {
    private ClassDataTraining() {}

    public static void main(String[] args) throws IOException {
        Path work = Files.createTempDirectory("closure-wrap-cds-");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        try {
            // A store of one path holding a host program, found by scanning, and a NAR of it.
            Path store = Files.createDirectory(work.resolve("store"));
            Path pkg = Files.createDirectories(store.resolve("0123456789abcdfghijklmnpqrsvwxyz-training/bin"));
            Path sh = Path.of("/bin/sh").toRealPath();
            Files.copy(sh, pkg.resolve("sh"));
            Files.writeString(pkg.resolve("script"), "#!" + pkg.resolve("sh") + "\necho hi\n");
            Files.createSymbolicLink(pkg.resolve("link"), Path.of("sh"));
            Path nar = work.resolve("training.nar");
            for (List<String> command : List.of(
                    List.of("--version"),
                    List.of("nar", "dump", "-o", nar.toString(), pkg.getParent().toString()),
                    List.of("nar", "dump", "--hash", pkg.getParent().toString()),
                    List.of("nar", "ls", "-R", "-l", nar.toString()),
                    List.of("nar", "restore", "-f", nar.toString(), work.resolve("restored").toString()),
                    List.of("inspect", "--json", pkg.resolve("sh").toString()),
                    List.of("graph", "--scan-references", "--format", "json", pkg.getParent().toString()),
                    List.of("graph", "--scan-references", pkg.getParent().toString()))) {
                try {
                    Main.run(discard, discard, command.toArray(String[]::new));
                } catch (RuntimeException e) {
                    // the archive is only thinner for it
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
