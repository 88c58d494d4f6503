package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code file://} sink's durability, seen from outside: a child JVM writes a cache under
 * {@code strace}, and the trace must show, for every file of the cache, the protocol of the tar and
 * NAR sinks — temp file fsynced, renamed, directory fsynced — and each narinfo renamed only after
 * its NAR's directory entry was synced. Without durability, no fsync at all.
 */
class BinaryCacheDurabilityIT {
    private static final Pattern RENAME = Pattern.compile("^\\d+ +rename(?:at2?)?\\(.*\"(.*)\",.*\"(.*)\".*\\) += 0$");

    @TempDir
    Path temp;

    /** One fsync or rename of the trace, paths absolute. */
    private record Call(String kind, String path, String to) {}

    private List<Call> traceWrite(Path cache, boolean durable) throws IOException, InterruptedException {
        List<Call> calls = new ArrayList<>();
        for (String line : StracedChild.trace(temp.resolve("trace-" + durable), "fsync,fdatasync,rename,renameat,renameat2",
                BinaryCacheSinkChild.class, cache.toString(), Boolean.toString(durable))) {
            Matcher f = StracedChild.FSYNC.matcher(line);
            Matcher r = RENAME.matcher(line);
            if (f.matches()) {
                calls.add(new Call("fsync", f.group(1), null));
            } else if (r.matches()) {
                calls.add(new Call("rename", r.group(1), r.group(2)));
            }
        }
        return calls;
    }

    @Test
    void durable_everyCacheFileIsSyncedRenamedAndItsDirectorySynced_narBeforeNarinfo() throws Exception {
        Path cache = temp.resolve("cache").toAbsolutePath();
        List<Call> calls = traceWrite(cache, true);
        List<Path> published = new ArrayList<>();
        published.add(cache.resolve("nix-cache-info"));
        try (Stream<Path> narinfos = Files.list(cache); Stream<Path> nars = Files.list(cache.resolve("nar"))) {
            narinfos.filter(p -> p.toString().endsWith(".narinfo")).forEach(published::add);
            nars.forEach(published::add);
        }
        assertEquals(1 + 2 + 2, published.size(), published.toString());
        for (Path file : published) {
            int renamed = indexOf(calls, c -> c.kind.equals("rename") && c.to.equals(file.toString()));
            assertTrue(renamed >= 0, file + " was not renamed into place: " + calls);
            String tempFile = calls.get(renamed).path;
            assertTrue(calls.subList(0, renamed).contains(new Call("fsync", tempFile, null)),
                    file + ": its temp file " + tempFile + " was not fsynced before the rename: " + calls);
            assertTrue(calls.subList(renamed, calls.size()).contains(new Call("fsync", file.getParent().toString(), null)),
                    file + ": its directory was not fsynced after the rename: " + calls);
        }
        for (Path info : published) {
            if (!info.toString().endsWith(".narinfo")) {
                continue;
            }
            String url = Files.readAllLines(info).stream().filter(l -> l.startsWith("URL: ")).findFirst()
                    .orElseThrow().substring(5);
            String nar = cache.resolve(url).toString();
            int narRenamed = indexOf(calls, c -> c.kind.equals("rename") && c.to.equals(nar));
            int narDirSynced = narRenamed + 1 + indexOf(calls.subList(narRenamed + 1, calls.size()),
                    c -> c.kind.equals("fsync") && c.path.equals(cache.resolve("nar").toString()));
            int infoRenamed = indexOf(calls, c -> c.kind.equals("rename") && c.to.equals(info.toString()));
            assertTrue(narDirSynced > narRenamed && infoRenamed > narDirSynced,
                    info + " was renamed into place before its NAR was durable: " + calls);
        }
    }

    @Test
    void notDurable_nothingIsSynced_andTheCacheIsComplete() throws Exception {
        Path cache = temp.resolve("cache").toAbsolutePath();
        List<Call> calls = traceWrite(cache, false);
        assertTrue(calls.stream().noneMatch(c -> c.kind.equals("fsync") && c.path.startsWith(temp.toString())),
                calls.toString());
        try (Stream<Path> all = Files.walk(cache)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().startsWith(".")).toList());
        }
        try (Stream<Path> nars = Files.list(cache.resolve("nar"))) {
            assertEquals(2, nars.count());
        }
    }

    private static int indexOf(List<Call> calls, java.util.function.Predicate<Call> p) {
        for (int i = 0; i < calls.size(); i++) {
            if (p.test(calls.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
