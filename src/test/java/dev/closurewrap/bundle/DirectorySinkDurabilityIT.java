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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory sink's durability, seen from outside: a child JVM writes entries under
 * {@code strace}, twice ({@link DirectorySinkChild}). In the trace, every file's content is
 * fsynced before its name appears (rename of the temp file, or link); an entry that replaces an
 * older one has its directory fsynced before the next entry is touched; a new entry's directory is
 * fsynced at some point after the entry appears (the sink's finish), not necessarily at once.
 */
class DirectorySinkDurabilityIT {
    private static final Pattern RENAME = Pattern.compile("^\\d+ +rename(?:at2?)?\\(.*?\"(.*?)\",.*?\"(.*?)\".*\\) += 0$");
    private static final Pattern LINK = Pattern.compile("^\\d+ +link(?:at)?\\(.*?\"(.*?)\",.*?\"(.*?)\".*\\) += 0$");
    private static final Pattern SYMLINK = Pattern.compile("^\\d+ +symlink(?:at)?\\(\"(.*?)\",.*?\"(.*?)\"\\) += 0$");
    private static final Pattern MKDIR = Pattern.compile("^\\d+ +mkdir(?:at)?\\(.*?\"(.*?)\".*\\) += 0$");

    @TempDir
    Path temp;

    /** An fsync of {@code path}, or an entry {@code path} appearing (from {@code from}, for renames and links). */
    private record Call(String kind, String path, String from) {}

    private List<Call> traceRound(Path out, String round) throws IOException, InterruptedException {
        List<Call> calls = new ArrayList<>();
        for (String line : StracedChild.trace(temp.resolve("trace-" + round),
                "fsync,fdatasync,rename,renameat,renameat2,link,linkat,symlink,symlinkat,mkdir,mkdirat",
                DirectorySinkChild.class, out.toString(), temp.resolve("sources").toString(), round)) {
            Matcher m;
            if ((m = StracedChild.FSYNC.matcher(line)).matches()) {
                calls.add(new Call("fsync", m.group(1), null));
            } else if ((m = RENAME.matcher(line)).matches() || (m = LINK.matcher(line)).matches()) {
                calls.add(new Call("appear", m.group(2), m.group(1)));
            } else if ((m = SYMLINK.matcher(line)).matches()) {
                calls.add(new Call("appear", m.group(2), null));
            } else if ((m = MKDIR.matcher(line)).matches()) {
                calls.add(new Call("appear", m.group(1), null));
            }
        }
        return calls;
    }

    private static int appearance(List<Call> calls, Path entry) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).kind.equals("appear") && calls.get(i).path.equals(entry.toString())) {
                return i;
            }
        }
        throw new AssertionError(entry + " never appeared: " + calls);
    }

    @Test
    void durable_contentBeforeName_replacedEntriesSyncedAtOnce_newOnesByFinish() throws Exception {
        Path out = temp.resolve("out").toAbsolutePath();
        List<Path> files = List.of(out.resolve("store/a/copied"), out.resolve("store/a/streamed"), out.resolve("store/b/linked"));
        List<Path> entries = new ArrayList<>(files);
        entries.add(out.resolve("store/a/link"));
        for (String round : List.of("1", "2")) {
            List<Call> calls = traceRound(out, round);
            for (Path file : files) {
                int at = appearance(calls, file);
                // The name it came from, and where that came from (a temp link of the source file).
                List<String> sameFile = new ArrayList<>();
                for (String from = calls.get(at).from; from != null; ) {
                    sameFile.add(from);
                    String f = from;
                    from = calls.subList(0, at).stream().filter(c -> c.kind.equals("appear") && c.path.equals(f))
                            .map(Call::from).reduce((a, b) -> b).orElse(null);
                }
                assertTrue(calls.subList(0, at).stream().anyMatch(c -> c.kind.equals("fsync") && sameFile.contains(c.path)),
                        "round " + round + ": " + file + " appeared from " + sameFile + " before that was fsynced: " + calls);
            }
            for (Path entry : entries) {
                int at = appearance(calls, entry);
                String dir = entry.getParent().toString();
                if (round.equals("1")) {
                    assertTrue(calls.subList(at, calls.size()).contains(new Call("fsync", dir, null)),
                            "round 1: the directory of new " + entry + " was never fsynced after it: " + calls);
                } else {
                    int next = at + 1;
                    while (next < calls.size() && !calls.get(next).kind.equals("appear")) {
                        next++;
                    }
                    assertTrue(calls.subList(at, next).contains(new Call("fsync", dir, null)),
                            "round 2: " + entry + " replaced an older entry, but its directory was not fsynced "
                                    + "before the next entry was touched: " + calls);
                }
            }
            for (String dir : round.equals("1") ? List.of("store", "store/a", "store/b") : List.<String>of()) {
                int at = appearance(calls, out.resolve(dir));
                assertTrue(calls.subList(at, calls.size()).contains(new Call("fsync", out.resolve(dir).getParent().toString(), null)),
                        "round 1: the new directory " + dir + " was never made durable in its parent: " + calls);
            }
        }
        assertEquals("content of round 2", Files.readString(out.resolve("store/a/copied")));
        assertEquals("copied-2", Files.readSymbolicLink(out.resolve("store/a/link")).toString());
    }
}
