package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Run in a child JVM (under strace) by {@link BinaryCacheDurabilityIT}: writes two store paths
 * through the {@code file://} sink that {@link Sinks#open} gives. Arguments: CACHE_DIR DURABLE.
 */
public final class BinaryCacheSinkChild {
    static final String LIB = "store/0123456789abcdfghijklmnpqrsvwxyz-lib";
    static final String APP = "store/zyxwvsrqpnmlkjihgfdcba9876543210-app";

    private BinaryCacheSinkChild() {}

    public static void main(String[] args) throws Exception {
        Path cache = Path.of(args[0]);
        boolean durable = Boolean.parseBoolean(args[1]);
        Sinks.Options options = new Sinks.Options(durable, false, Optional.empty(), Optional.empty());
        try (OutputSink sink = Sinks.open(Sinks.formOf("file://" + cache), options)) {
            sink.file(EntryPath.parse(LIB + "/lib/libx.so"), false, text("a library"));
            sink.file(EntryPath.parse(APP + "/bin/app"), true, text("uses /nix/store/" + LIB.substring(6)));
            sink.symlink(EntryPath.parse(APP + "/lib"), ByteString.utf8("/nix/store/" + LIB.substring(6) + "/lib"));
            sink.finish();
        }
    }

    private static ByteArrayInputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
