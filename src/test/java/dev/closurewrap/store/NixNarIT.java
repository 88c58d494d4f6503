package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarDumper;
import dev.closurewrap.nar.NarReader;
import dev.closurewrap.nar.NarRestorer;
import dev.closurewrap.nar.NarWriter;
import dev.closurewrap.nar.WireSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our NAR code against Nix's own on every path of the real store. */
class NixNarIT {
    private static Map<String, JsonNode> store;

    @BeforeAll
    static void fillStore() throws IOException {
        for (Path tree : NixFixture.addedTrees().values()) {
            NixFixture.add(tree);
        }
        NixFixture.builtApp();
        store = new TreeMap<>(NixFixture.pathInfoAll());
        assertTrue(store.size() >= 8, "store has only " + store.keySet());
    }

    @Test
    void dump_everyStorePath_isByteIdenticalToNixStoreDump() throws Exception {
        for (String path : store.keySet()) {
            Process nix = NixFixture.start("nix-store", "--dump", path);
            MessageDigest theirs = MessageDigest.getInstance("SHA-256");
            long theirSize;
            try (InputStream in = new DigestInputStream(nix.getInputStream(), theirs)) {
                theirSize = NixFixture.drain(in);
            }
            NixFixture.waitOk(nix, "nix-store --dump " + path);
            MessageDigest ours = MessageDigest.getInstance("SHA-256");
            DigestOutputStream out = new DigestOutputStream(java.io.OutputStream.nullOutputStream(), ours);
            NarDigest digest = NarDumper.dump(Path.of(path), new NarWriter(new WireSink(out), path, true));
            out.flush();
            assertEquals(theirSize, digest.size(), path);
            assertEquals(Hash.of(HashAlgorithm.SHA256, theirs.digest()), Hash.of(HashAlgorithm.SHA256, ours.digest()), path);
            assertEquals(Hash.parse(store.get(path).get("narHash").asText()), Hash.of(digest), path);
            assertEquals(store.get(path).get("narSize").asLong(), digest.size(), path);
        }
    }

    @Test
    void dumpHash_everyStorePath_equalsNixHashPath() throws Exception {
        for (String path : store.keySet()) {
            String theirs = NixFixture.runText("nix", "--extra-experimental-features", "nix-command", "hash", "path", path).strip();
            NarDigest ours = NarDumper.dump(Path.of(path), new NarWriter(new WireSink(java.io.OutputStream.nullOutputStream()), path, true));
            assertEquals(Hash.parse(theirs), Hash.of(ours), path);
        }
    }

    @Test
    void cliDump_builtClosure_isByteIdenticalToNixStoreDump() throws Exception {
        String home = System.getenv().getOrDefault("CLOSURE_WRAP_HOME", "target");
        for (String path : NixFixture.runText("nix-store", "-qR", NixFixture.builtApp()).split("\n")) {
            byte[] ours = NixFixture.run(home + "/closure-wrap", "nar", "dump", path);
            byte[] theirs = NixFixture.run("nix-store", "--dump", path);
            assertTrue(java.util.Arrays.equals(theirs, ours), path);
        }
    }

    @Test
    void restore_nixStoreDumpOfEveryPath_redumpsIdentically() throws Exception {
        Path area = Files.createDirectories(NixFixture.WORK.resolve("restore"));
        for (String path : store.keySet()) {
            Path target = area.resolve(Path.of(path).getFileName());
            NixFixture.deleteRecursively(target);
            Process nix = NixFixture.start("nix-store", "--dump", path);
            NarDigest restored;
            try (NarReader reader = NarReader.standalone(nix.getInputStream(), "nix-store --dump " + path)) {
                restored = NarRestorer.restore(reader, target);
            }
            NixFixture.waitOk(nix, "nix-store --dump " + path);
            NarDigest again = NarDumper.dump(target, new NarWriter(new WireSink(java.io.OutputStream.nullOutputStream()), path, true));
            assertEquals(restored, again, path);
            assertEquals(Hash.parse(store.get(path).get("narHash").asText()), Hash.of(again), path);
            NixFixture.deleteRecursively(target);
        }
    }

    @Test
    void storePath_nixStoreAdd_equalsComputedSourcePath() throws Exception {
        for (Map.Entry<String, Path> tree : NixFixture.addedTrees().entrySet()) {
            NarDigest digest = NarDumper.dump(tree.getValue(), new NarWriter(new WireSink(java.io.OutputStream.nullOutputStream()), tree.getKey(), true));
            StorePath computed = StoreDir.DEFAULT.makeSourcePath(Hash.of(digest), List.of(), false, tree.getKey());
            assertEquals(NixFixture.add(tree.getValue()), StoreDir.DEFAULT.print(computed), tree.getKey());
        }
    }

    @Test
    void storePath_flatFixedAndTextPaths_equalComputed() throws Exception {
        Path file = NixFixture.WORK.resolve("flat-file.txt");
        Files.writeString(file, "flat contents\n");
        String flat = NixFixture.runText("nix-store", "--add-fixed", "sha256", file.toString()).strip();
        StorePath computedFlat = StoreDir.DEFAULT.makeFixedOutputPath(false, Hash.sha256(Files.readAllBytes(file)), "flat-file.txt");
        assertEquals(flat, StoreDir.DEFAULT.print(computedFlat));

        String text = NixFixture.runText("nix-instantiate", "--eval", "--read-write-mode", "-E",
                "builtins.toFile \"cw-text\" \"hello text\"").strip().replace("\"", "");
        StorePath computedText = StoreDir.DEFAULT.makeTextPath(Hash.sha256("hello text".getBytes(StandardCharsets.UTF_8)), List.of(), "cw-text");
        assertEquals(text, StoreDir.DEFAULT.print(computedText));
    }
}
