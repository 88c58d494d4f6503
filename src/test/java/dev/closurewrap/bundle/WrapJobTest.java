package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.plan.Mode;
import dev.closurewrap.rewrite.StoreReferenceScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrap job on a tiny store built with gcc (a library store path, a program linking it through
 * RUNPATH, a configuration file naming the library's store path): failures are copied unchanged and
 * reported, a finished job writes nothing, a dry run writes nothing.
 */
class WrapJobTest {
    static final String LIB = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-libfoo";
    static final String PROG = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-prog";
    static final String REFS = "cccccccccccccccccccccccccccccccc-refs";

    @TempDir
    static Path shared;
    static Path store;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildStore() throws IOException, InterruptedException {
        store = shared.resolve("store");
        Path lib = Files.createDirectories(store.resolve(LIB + "/lib"));
        Path bin = Files.createDirectories(store.resolve(PROG + "/bin"));
        Path share = Files.createDirectories(store.resolve(PROG + "/share"));
        Files.writeString(shared.resolve("foo.c"), "int foo(void) { return 42; }\n");
        Files.writeString(shared.resolve("main.c"), "int foo(void);\nint main(void) { return foo() == 42 ? 0 : 1; }\n");
        gcc("-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", lib.resolve("libfoo.so.1").toString(),
                shared.resolve("foo.c").toString());
        gcc("-o", bin.resolve("prog").toString(), shared.resolve("main.c").toString(), "-L" + lib, "-l:libfoo.so.1",
                "-Wl,--enable-new-dtags,-rpath," + lib);
        Files.writeString(share.resolve("x.conf"), "library = " + lib.resolve("libfoo.so.1") + "\n");
        // A program that keeps a store path in its data, which no edit removes: a remaining reference.
        Path refsBin = Files.createDirectories(store.resolve(REFS + "/bin"));
        Files.writeString(shared.resolve("refs.c"), "#include <stdio.h>\nint foo(void);\n"
                + "int main(void) { puts(\"" + lib + "/data " + lib + "/more\"); return foo() == 42 ? 0 : 1; }\n");
        gcc("-o", refsBin.resolve("refs").toString(), shared.resolve("refs.c").toString(), "-L" + lib,
                "-l:libfoo.so.1", "-Wl,--enable-new-dtags,-rpath," + lib);
    }

    private static void gcc(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "gcc failed: " + command);
    }

    private WrapResult run(Mode mode, Optional<Path> prefix, Path out, boolean dryRun, ProgressTracker tracker)
            throws IOException {
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        WrapRequest request = new WrapRequest(List.of(store.resolve(PROG).toString()), mode, prefix,
                Optional.of(out.toString()), Optional.of(dir.resolve("state")), dryRun, false, settings, "test");
        return new WrapJob(request, tracker).run();
    }

    @Test
    void refusedFile_isCopiedUnchanged_reported_andListedInTheManifest() throws IOException {
        Path out = dir.resolve("out");
        ProgressTracker tracker = ProgressTracker.systemClock();
        // A blank in the prefix cannot go into shell text: the configuration file is refused.
        WrapResult result = run(Mode.ABSOLUTE, Optional.of(Path.of("/opt/p q/store")), out, false, tracker);
        assertEquals(1, result.failed().size(), result.failed().toString());
        String conf = "store/" + PROG + "/share/x.conf";
        assertEquals(conf, result.failed().get(0).path());
        assertTrue(result.failed().get(0).reason().contains("must be an absolute path of letters"), result.failed().toString());
        assertEquals(1, tracker.failedCount());
        assertArrayEquals(Files.readAllBytes(store.resolve(PROG + "/share/x.conf")), Files.readAllBytes(out.resolve(conf)));
        // The program itself was rewritten: its library is named by its path under the prefix.
        assertTrue(new String(Files.readAllBytes(out.resolve("store/" + PROG + "/bin/prog")), "ISO-8859-1")
                .contains("/opt/p q/store/" + LIB + "/lib/libfoo.so.1"));
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("closure-wrap.json").toFile());
        assertEquals("absolute", manifest.get("mode").asText());
        // The host's libc is outside the closure.
        assertTrue(manifest.get("unresolved").toString().contains("needs libc.so.6"), manifest.get("unresolved").toString());
        boolean listed = false;
        for (JsonNode n : manifest.get("notRewritten")) {
            listed |= n.get("path").asText().equals(conf) && n.get("failed").asBoolean();
        }
        assertTrue(listed, manifest.get("notRewritten").toString());
        assertEquals(Integer.parseInt("444", 8), (int) Files.getAttribute(out.resolve(conf), "unix:mode") & 0777);
        assertEquals(Integer.parseInt("555", 8),
                (int) Files.getAttribute(out.resolve("store/" + PROG + "/bin/prog"), "unix:mode") & 0777);
    }

    @Test
    void hardlinkMode_keepsStoreModes_forLinkedAndRewrittenFiles() throws IOException {
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load().withHardlink(true);
        Path out = dir.resolve("linked");
        WrapRequest request = new WrapRequest(List.of(store.resolve(PROG).toString()), Mode.RELATIVE, Optional.empty(),
                Optional.of(out.toString()), Optional.of(dir.resolve("state")), false, false, settings, "test");
        WrapResult result = new WrapJob(request, ProgressListener.NONE).run();
        assertEquals(1, result.sink().orElseThrow().hardLinked() >= 1 ? 1 : 0, result.toString());
        List<String> wrong = new ArrayList<>();
        try (var walk = Files.walk(out.resolve("store"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                int mode = (int) Files.getAttribute(p, "unix:mode") & 0777;
                if (mode != 0444 && mode != 0555) {
                    wrong.add(p + " " + Integer.toOctalString(mode));
                }
            }
        }
        assertEquals(List.of(), wrong);
        // The rewritten program is staged with its output mode, so it is linked, not copied.
        Path prog = out.resolve("store/" + PROG + "/bin/prog");
        assertTrue((int) Files.getAttribute(prog, "unix:nlink") >= 2, "rewritten executable not hard-linked");
        assertEquals(Integer.parseInt("555", 8), (int) Files.getAttribute(prog, "unix:mode") & 0777);
    }

    @Test
    void remainingReferences_inTheManifest_areThoseInTheOutputFiles() throws IOException {
        Path out = dir.resolve("refs-out");
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        WrapRequest request = new WrapRequest(List.of(store.resolve(REFS).toString()), Mode.RELATIVE, Optional.empty(),
                Optional.of(out.toString()), Optional.of(dir.resolve("state")), false, false, settings, "test");
        new WrapJob(request, ProgressListener.NONE).run();
        // Counted independently, by scanning every output file.
        StoreReferenceScanner scanner = new StoreReferenceScanner(ByteString.utf8(store.toString()));
        Map<String, Integer> scanned = new TreeMap<>();
        try (var walk = Files.walk(out.resolve("store"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                int count = scanner.scan(Files.readAllBytes(p)).size();
                if (count > 0) {
                    scanned.put(out.relativize(p).toString(), count);
                }
            }
        }
        Map<String, Integer> listed = new TreeMap<>();
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("closure-wrap.json").toFile());
        for (JsonNode n : manifest.get("remainingReferences")) {
            listed.put(n.get("path").asText(), n.get("count").asInt());
        }
        assertEquals(2, scanned.get("store/" + REFS + "/bin/refs"), scanned.toString());
        assertEquals(scanned, listed);
    }

    @Test
    void unsyncedRun_damagedStagedAndWrittenFiles_areCheckedByHashAndRedone() throws IOException {
        Path config = dir.resolve("config");
        Files.writeString(config, "sync-output = false\n");
        WrapConfig unsynced = new ConfigLoader(Optional.of(config), Optional.empty(), 2).load();
        Path tar = dir.resolve("out.tar");
        Path tree = dir.resolve("tree");
        Path state = dir.resolve("unsynced-state");
        Path treeState = dir.resolve("unsynced-tree-state");
        wrap(unsynced, tar, state);
        wrap(unsynced, tree, treeState);
        byte[] expectedTar = Files.readAllBytes(tar);
        Path prog = tree.resolve("store/" + PROG + "/bin/prog");
        byte[] expectedProg = Files.readAllBytes(prog);
        assertTrue(Files.exists(state.resolve(WrapJob.UNSYNCED_MARKER)));

        // What a power cut can leave of files written but never synced: the names, cut short.
        for (Path root : List.of(state.resolve("staged"), treeState.resolve("staged"))) {
            try (var walk = Files.walk(root)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    p.toFile().setWritable(true);
                    Files.write(p, new byte[0]);
                }
            }
        }
        prog.toFile().setWritable(true);
        Files.write(prog, new byte[0]);

        // Even a run that syncs must not trust what an earlier unsynced run recorded.
        WrapConfig synced = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        ProgressTracker tarTracker = wrap(synced, tar, state);
        assertTrue(tarTracker.summary().count(ProgressListener.Outcome.REWRITTEN) >= 2);
        assertArrayEquals(expectedTar, Files.readAllBytes(tar));
        wrap(synced, tree, treeState);
        assertArrayEquals(expectedProg, Files.readAllBytes(prog));
    }

    @Test
    void syncedRun_leavesNoUnsyncedMarker() throws IOException {
        Path state = dir.resolve("synced-state");
        wrap(new ConfigLoader(Optional.empty(), Optional.empty(), 2).load(), dir.resolve("s.tar"), state);
        assertFalse(Files.exists(state.resolve(WrapJob.UNSYNCED_MARKER)));
    }

    private ProgressTracker wrap(WrapConfig settings, Path out, Path state) throws IOException {
        WrapRequest request = new WrapRequest(List.of(store.resolve(PROG).toString()), Mode.RELATIVE, Optional.empty(),
                Optional.of(out.toString()), Optional.of(state), false, false, settings, "test");
        ProgressTracker tracker = ProgressTracker.systemClock();
        new WrapJob(request, tracker).run();
        return tracker;
    }

    @Test
    void finishedJob_writesNothing_andADryRunWritesNothing() throws IOException {
        Path out = dir.resolve("out.tar");
        WrapResult first = run(Mode.RELATIVE, Optional.empty(), out, false, ProgressTracker.systemClock());
        assertFalse(first.upToDate());
        assertTrue(first.sink().isPresent());
        byte[] tar = Files.readAllBytes(out);
        long modified = Files.getLastModifiedTime(out).toMillis();

        ProgressTracker tracker = ProgressTracker.systemClock();
        WrapResult again = run(Mode.RELATIVE, Optional.empty(), out, false, tracker);
        assertTrue(again.upToDate());
        assertTrue(again.sink().isEmpty());
        ProgressSummary summary = tracker.summary();
        assertEquals(0, summary.count(ProgressListener.Outcome.REWRITTEN));
        assertEquals(0, summary.count(ProgressListener.Outcome.UNCHANGED));
        assertTrue(summary.count(ProgressListener.Outcome.RESUMED) > 0);
        assertArrayEquals(tar, Files.readAllBytes(out));
        assertEquals(modified, Files.getLastModifiedTime(out).toMillis());

        // A directory output that lost a file is not up to date: the file comes back, nothing else is redone.
        Path tree = dir.resolve("tree");
        run(Mode.RELATIVE, Optional.empty(), tree, false, ProgressTracker.systemClock());
        Path prog = tree.resolve("store/" + PROG + "/bin/prog");
        byte[] progBytes = Files.readAllBytes(prog);
        Files.delete(prog);
        ProgressTracker repair = ProgressTracker.systemClock();
        assertFalse(run(Mode.RELATIVE, Optional.empty(), tree, false, repair).upToDate());
        assertArrayEquals(progBytes, Files.readAllBytes(prog));
        assertEquals(1, repair.summary().count(ProgressListener.Outcome.REWRITTEN));

        Path dry = dir.resolve("dry");
        WrapResult plan = run(Mode.RELATIVE, Optional.empty(), dry, true, ProgressTracker.systemClock());
        assertTrue(plan.plan().files().size() > 5);
        assertFalse(Files.exists(dry));
    }

    @Test
    void finishedJob_prunesStagedFilesNothingNames_andALaterJobStillReusesEveryRewrite() throws IOException {
        Path state = dir.resolve("pruned-state");
        Path staged = Files.createDirectories(state.resolve("staged"));
        // What killed runs leave: a rewrite no record names, the temp files of both writers; and a stranger.
        String orphan = dev.closurewrap.checkpoint.Sha256.hash("orphan".getBytes(StandardCharsets.UTF_8)).hex();
        Files.writeString(staged.resolve(orphan), "orphan");
        Files.writeString(staged.resolve(".rewrite-12345.tmp"), "half a rewrite");
        Files.writeString(staged.resolve("." + orphan + ".tmp-abc123"), "half a manifest");
        Files.writeString(staged.resolve("README"), "not ours to delete");

        Path tree = dir.resolve("pruned-tree");
        ProgressTracker first = wrap(new ConfigLoader(Optional.empty(), Optional.empty(), 2).load(), tree, state);
        long rewritten = first.summary().count(ProgressListener.Outcome.REWRITTEN);
        assertTrue(rewritten >= 2, "the program and its library are rewritten: " + rewritten);
        String manifest = dev.closurewrap.checkpoint.Sha256.hash(Files.readAllBytes(tree.resolve(WrapJob.MANIFEST))).hex();
        List<String> left;
        try (var list = Files.list(staged)) {
            left = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(left.contains("README"), left.toString());
        assertFalse(left.contains(orphan) || left.contains(manifest), "unnamed staged files stay: " + left);
        assertFalse(left.stream().anyMatch(n -> n.startsWith(".")), "temp files stay: " + left);
        assertEquals(rewritten, left.size() - 1, "one staged file per rewrite is kept: " + left);

        // Another job (an archive this time) on the same state directory edits nothing again.
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        WrapRequest request = new WrapRequest(List.of(store.resolve(PROG).toString()), Mode.RELATIVE, Optional.empty(),
                Optional.of(dir.resolve("pruned.tar").toString()), Optional.of(state), false, false, settings, "test");
        WrapResult second = new WrapJob(request, ProgressListener.NONE).run();
        assertEquals(rewritten, second.reused());
    }

    @Test
    void stagedFileChangedInPlace_aLaterJobOnTheStateDirectory_writesTheRealRewrite() throws IOException {
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        Path state = dir.resolve("changed-state");
        Path first = dir.resolve("changed-first");
        wrap(settings, first, state);
        byte[] expected = Files.readAllBytes(first.resolve("store/" + PROG + "/bin/prog"));
        // What a --hardlink output shares with the state directory, changed in place (root ignores 0555).
        Path staged = state.resolve("staged").resolve(
                dev.closurewrap.checkpoint.Sha256.hash(expected).hex());
        assertTrue(Files.isRegularFile(staged), "the rewrite is staged under its hash");
        staged.toFile().setWritable(true);
        Files.write(staged, "changed in place".getBytes(StandardCharsets.UTF_8));

        // Another output on the same state: the index finds the damaged result, rewrites, and must
        // not take the damaged file that has the rewrite's name.
        Path second = dir.resolve("changed-second");
        wrap(settings, second, state);
        assertArrayEquals(expected, Files.readAllBytes(second.resolve("store/" + PROG + "/bin/prog")));
        assertArrayEquals(expected, Files.readAllBytes(staged));
    }

    @Test
    void directoryJob_writesEachRewriteOnceInTheOutput_stagesItByLink_andAChangedOutputIsNotReused() throws IOException {
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        Path state = dir.resolve("once-state");
        Path first = dir.resolve("once-first");
        ProgressTracker run = wrap(settings, first, state);
        assertTrue(run.summary().count(ProgressListener.Outcome.REWRITTEN) >= 2);
        Path prog = first.resolve("store/" + PROG + "/bin/prog");
        byte[] expected = Files.readAllBytes(prog);
        Path staged = state.resolve("staged").resolve(dev.closurewrap.checkpoint.Sha256.hash(expected).hex());
        // Without --hardlink: one inode, the output's, named again in the state directory (no second copy).
        assertEquals(Files.getAttribute(prog, "unix:ino"), Files.getAttribute(staged, "unix:ino"));
        assertEquals(Integer.parseInt("555", 8), (int) Files.getAttribute(prog, "unix:mode") & 0777);

        // The user changes the output in place (root ignores 0555): a later job must not reuse that.
        prog.toFile().setWritable(true);
        Files.write(prog, "changed in place".getBytes(StandardCharsets.UTF_8));
        Path second = dir.resolve("once-second");
        WrapRequest request = new WrapRequest(List.of(store.resolve(PROG).toString()), Mode.RELATIVE, Optional.empty(),
                Optional.of(second.toString()), Optional.of(state), false, false, settings, "test");
        WrapResult again = new WrapJob(request, ProgressListener.NONE).run();
        assertEquals(run.summary().count(ProgressListener.Outcome.REWRITTEN) - 1, again.reused(),
                "every other rewrite is reused");
        assertArrayEquals(expected, Files.readAllBytes(second.resolve("store/" + PROG + "/bin/prog")));
    }

    @Test
    void inputHashes_areSavedInTheStateDirectory_andASecondJobGivesTheSameOutput() throws Exception {
        Thread.sleep(2_100); // the fixture's files must be older than FileIdentity.SETTLED_NANOS to be remembered
        WrapConfig settings = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
        Path state = dir.resolve("known-state");
        Path first = dir.resolve("known-first");
        wrap(settings, first, state);
        Path input = store.resolve(PROG + "/bin/prog");
        String expected = dev.closurewrap.checkpoint.Sha256.hash(Files.readAllBytes(input)).hex();
        try (dev.closurewrap.checkpoint.KnownHashSnapshot snapshot = dev.closurewrap.checkpoint.CheckpointStore
                .knownHashSnapshot(state)) {
            assertEquals(Optional.of(expected), snapshot.sha256(input, dev.closurewrap.io.FileIdentity.of(input)));
        }
        Path second = dir.resolve("known-second");
        wrap(settings, second, state);
        assertArrayEquals(Files.readAllBytes(first.resolve("store/" + PROG + "/bin/prog")),
                Files.readAllBytes(second.resolve("store/" + PROG + "/bin/prog")));
        assertArrayEquals(Files.readAllBytes(first.resolve(WrapJob.MANIFEST)), Files.readAllBytes(second.resolve(WrapJob.MANIFEST)));
    }

    @Test
    void hardlinkJob_reusingARewriteAnotherOutputHolds_copiesIt_soThatOutputSharesNoInode() throws IOException {
        Path state = dir.resolve("shared-state");
        Path plain = dir.resolve("shared-plain");
        wrap(new ConfigLoader(Optional.empty(), Optional.empty(), 2).load(), plain, state);
        Path linked = dir.resolve("shared-linked");
        WrapConfig hardlink = new ConfigLoader(Optional.empty(), Optional.empty(), 2).load().withHardlink(true);
        WrapRequest request = new WrapRequest(List.of(store.resolve(PROG).toString()), Mode.RELATIVE, Optional.empty(),
                Optional.of(linked.toString()), Optional.of(state), false, false, hardlink, "test");
        WrapResult result = new WrapJob(request, ProgressListener.NONE).run();
        assertTrue(result.reused() >= 2, "the rewrites come from the first job: " + result.reused());
        Path prog = Path.of("store/" + PROG + "/bin/prog");
        assertNotEquals(Files.getAttribute(plain.resolve(prog), "unix:ino"), Files.getAttribute(linked.resolve(prog), "unix:ino"),
                "the first output was made without --hardlink: nothing may share its inode but the state directory");
        assertArrayEquals(Files.readAllBytes(plain.resolve(prog)), Files.readAllBytes(linked.resolve(prog)));
    }
}
