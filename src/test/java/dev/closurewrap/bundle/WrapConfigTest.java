package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WrapConfigTest {
    private static WrapConfig defaults() throws IOException {
        return new ConfigLoader(Optional.empty(), Optional.empty(), 2).load();
    }

    @Test
    void stateDir_sitsNextToTheOutput_whateverItsForm() throws IOException {
        WrapConfig c = defaults();
        assertEquals(Path.of("out/foo.closure-wrap-state"), c.stateDirFor("out/foo"));
        assertEquals(Path.of("/tmp/foo.closure-wrap-state"), c.stateDirFor("/tmp/foo/"));
        assertEquals(Path.of("foo.tar.zst.closure-wrap-state"), c.stateDirFor("foo.tar.zst"));
        assertEquals(Path.of("/srv/cache.closure-wrap-state"), c.stateDirFor("file:///srv/cache"));
    }

    @Test
    void stateDir_templateMayUseTheOutputName() throws IOException {
        WrapConfig c = new WrapConfig(Path.of("/nix/store"), 1, "/var/tmp/cw/${output-name}", 6, 6, 3, false, true, 1,
                PathGlobs.of(java.util.List.of()), java.util.List.of(), java.time.Duration.ofSeconds(1));
        assertEquals(Path.of("/var/tmp/cw/foo.tar"), c.stateDirFor("/a/b/foo.tar"));
    }

    @Test
    void sinkOptions_takeTheLevelOfTheOutputsCompression() throws IOException {
        WrapConfig c = new WrapConfig(Path.of("/nix/store"), 1, "${output}.s", 2, 4, 19, true, false, 1,
                PathGlobs.of(java.util.List.of()), java.util.List.of(), java.time.Duration.ofSeconds(1));
        assertEquals(Optional.of(19), c.sinkOptions(OutputForm.parse("a.tar.zst")).level());
        assertEquals(Optional.of(4), c.sinkOptions(OutputForm.parse("a.nar.xz")).level());
        assertEquals(Optional.of(2), c.sinkOptions(OutputForm.parse("a.tgz")).level());
        Sinks.Options dir = c.sinkOptions(OutputForm.parse("out"));
        assertEquals(Optional.empty(), dir.level());
        assertEquals(true, dir.link());
        assertEquals(false, dir.durable());
    }

    @Test
    void withJobs_checksTheValue() throws IOException {
        assertEquals(5, defaults().withJobs(5).jobs());
        assertThrows(IllegalArgumentException.class, () -> defaults().withJobs(0));
    }

    @Test
    void checkpointSyncPolicy_followsTheSetting() throws IOException {
        assertEquals(256, defaults().checkpointSyncPolicy().recordsPerSync());
        assertEquals(WrapConfig.CHECKPOINT_SYNC_DELAY, defaults().checkpointSyncPolicy().maxDelay());
    }
}
