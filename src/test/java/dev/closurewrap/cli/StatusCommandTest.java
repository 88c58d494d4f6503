package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.JobRecord;
import dev.closurewrap.checkpoint.Sha256;
import dev.closurewrap.checkpoint.SyncPolicy;
import dev.closurewrap.io.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
    @TempDir
    Path temp;

    private static Sha256 h(String s) {
        return Sha256.hash(s.getBytes(StandardCharsets.UTF_8));
    }

    private Path jobWithOneOfEach() throws Exception {
        Path state = temp.resolve("state");
        JobRecord job = new JobRecord(List.of("/nix/store/aaa-foo"), "relative", "foo.tar.zst", h("opts"), "0.1.0", 0L);
        try (CheckpointStore store = CheckpointStore.open(state, job, CheckpointStore.OnOtherJob.REFUSE, SyncPolicy.batched(4))) {
            store.register(ByteString.utf8("store/aaa-foo/lib/p"), h("1"), h("p"));
            store.markDone(ByteString.utf8("store/aaa-foo/bin/foo"), h("2"), h("p"), h("o"));
            store.markCopiedUnchanged(ByteString.utf8("store/aaa-foo/share/x"), h("3"), h("p"));
            store.markFailed(ByteString.utf8("store/aaa-foo/lib/libbad.so"), h("4"), h("p"), "bad ELF at 0x40: truncated");
        }
        return state;
    }

    @Test
    void text_showsJobCountsAndFailures() throws Exception {
        Path state = jobWithOneOfEach();
        MainTest.Result r = MainTest.run("status", "--state", state.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--relative /nix/store/aaa-foo -o foo.tar.zst"), r.out());
        assertTrue(r.out().contains("files:    4: 1 pending, 1 done, 1 copied unchanged, 1 failed"), r.out());
        assertTrue(r.out().contains("store/aaa-foo/lib/libbad.so: bad ELF at 0x40: truncated"), r.out());
        assertTrue(r.out().contains("finished: no"), r.out());
    }

    @Test
    void json_isMachineReadable() throws Exception {
        Path state = jobWithOneOfEach();
        MainTest.Result r = MainTest.run("status", "--state", state.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(4, json.get("total").asLong());
        assertEquals(1, json.get("counts").get("copied_unchanged").asLong());
        assertEquals("relative", json.get("job").get("mode").asText());
        assertEquals(1, json.get("reusableResults").asLong());
        assertEquals("store/aaa-foo/lib/libbad.so", json.get("failures").get(0).get("path").asText());
    }

    @Test
    void missingDatabase_isBadInputNamingTheDirectory() {
        MainTest.Result r = MainTest.run("status", "--state", temp.resolve("nowhere").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("nowhere: no checkpoint database here"), r.err());
    }

    @Test
    void missingStateOption_isUsageError() {
        assertEquals(ExitCodes.USAGE, MainTest.run("status").code());
    }
}
