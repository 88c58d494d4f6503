package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Run in a child JVM (under strace) by {@link DirectorySinkDurabilityIT}: writes one entry of each
 * kind through durable directory sinks — a copied file, a streamed file, a symlink, a hard-linked
 * file — with content that depends on ROUND, so a second round replaces every entry.
 * Arguments: OUT SOURCE_DIR ROUND.
 */
public final class DirectorySinkChild {
    private DirectorySinkChild() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Path sources = Files.createDirectories(Path.of(args[1]));
        String round = args[2];
        Path plain = Files.writeString(sources.resolve("plain-" + round), "content of round " + round);
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("r--r--r--"));
        try (OutputSink sink = new DirectorySink(out, false, true)) {
            sink.directory(EntryPath.parse("store"));
            sink.file(EntryPath.parse("store/a/copied"), false, plain);
            sink.file(EntryPath.parse("store/a/streamed"), false,
                    new ByteArrayInputStream(("streamed " + round).getBytes(StandardCharsets.UTF_8)));
            sink.symlink(EntryPath.parse("store/a/link"), ByteString.utf8("copied-" + round));
            sink.finish();
        }
        try (OutputSink sink = new DirectorySink(out, true, true)) {
            sink.file(EntryPath.parse("store/b/linked"), false, plain);
            sink.finish();
        }
    }
}
