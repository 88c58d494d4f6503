package dev.closurewrap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify's exit codes and outputs on bundles without ELF files; BundleVerifierIT has the real closure. */
class VerifyCommandTest {
    @TempDir
    Path temp;

    private static final String REF = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-data";

    /** A bundle whose only finding is a config file naming the old store twice. */
    private Path bundleWithOneStaleString() throws Exception {
        Path bundle = temp.resolve("b");
        Path share = bundle.resolve("store/0123456789abcdfghijklmnpqrsvwxy0-app/share");
        Files.createDirectories(share);
        Files.writeString(share.resolve("app.conf"), "data=" + REF + "/x\nagain " + REF + "\n");
        Files.createDirectories(bundle.resolve("bin"));
        return bundle;
    }

    @Test
    void staleStrings_areWarnings_exit0() throws Exception {
        MainTest.Result r = MainTest.run("verify", bundleWithOneStaleString().toString());
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Strings still naming /nix/store: 2 in 1 files (warnings)"), r.out());
        assertTrue(r.out().contains("store/0123456789abcdfghijklmnpqrsvwxy0-app/share/app.conf: 2"), r.out());
        assertTrue(r.out().contains("    0x5 " + REF + "\n"), r.out());
        assertTrue(r.out().contains("OK: every library resolves inside the bundle (see the warnings above)."), r.out());
    }

    @Test
    void probeLoader_givesTheSameVerdict() throws Exception {
        MainTest.Result r = MainTest.run("verify", "--probe-loader", bundleWithOneStaleString().toString());
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    }

    @Test
    void staleStrings_withStrict_exit1() throws Exception {
        MainTest.Result r = MainTest.run("verify", "--strict", bundleWithOneStaleString().toString());
        assertEquals(ExitCodes.SOME_FILES_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAILED (--strict)"), r.out());
    }

    @Test
    void json_listsEveryReferenceWithOffset() throws Exception {
        MainTest.Result r = MainTest.run("verify", "--json", bundleWithOneStaleString().toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("ok").asBoolean());
        assertEquals(2, json.get("references").size());
        JsonNode second = json.get("references").get(1);
        assertEquals("store/0123456789abcdfghijklmnpqrsvwxy0-app/share/app.conf", second.get("file").asText());
        assertEquals(("data=" + REF + "/x\nagain ").length(), second.get("offset").asLong());
        assertEquals(REF, second.get("string").asText());
        assertEquals(0, json.get("unresolved").size());
    }

    @Test
    void manifestStoreDir_isTheDefault() throws Exception {
        Path bundle = bundleWithOneStaleString();
        Files.writeString(bundle.resolve("closure-wrap.json"), "{\"store_dir\": \"/gnu/store\"}");
        MainTest.Result r = MainTest.run("verify", bundle.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("(old store /gnu/store)"), r.out());
        assertTrue(!r.out().contains("Strings still naming"), r.out());
    }

    @Test
    void brokenElf_isNoted() throws Exception {
        Path bundle = bundleWithOneStaleString();
        Path lib = bundle.resolve("store/0123456789abcdfghijklmnpqrsvwxy0-app/lib");
        Files.createDirectories(lib);
        Files.write(lib.resolve("libbroken.so"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0});
        MainTest.Result r = MainTest.run("verify", bundle.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("note: store/0123456789abcdfghijklmnpqrsvwxy0-app/lib/libbroken.so: "
                + "not a loadable ELF file: "), r.out());
    }

    @Test
    void notABundle_isBadInput() throws Exception {
        Files.createDirectories(temp.resolve("empty"));
        MainTest.Result r = MainTest.run("verify", temp.resolve("empty").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("no store/ directory: not a closure-wrap bundle"), r.err());
    }
}
