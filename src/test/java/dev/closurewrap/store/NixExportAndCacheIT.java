package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarDumper;
import dev.closurewrap.nar.WireSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Export streams and binary caches exchanged with real Nix in both directions: Nix writes, we read;
 * we write, Nix imports into a second store ({@code --store DIR}, a local store under another root).
 */
class NixExportAndCacheIT {
    private static final String NIX_COMMAND = "nix-command";
    private static String app;
    private static List<String> closure;

    @BeforeAll
    static void buildClosure() throws IOException {
        app = NixFixture.builtApp();
        closure = Arrays.asList(NixFixture.runText("nix-store", "-qR", app).strip().split("\n"));
        assertTrue(closure.size() >= 3, closure.toString());
    }

    private static Set<StorePath> nixReferences(String path) throws IOException {
        String text = NixFixture.runText("nix-store", "-q", "--references", path).strip();
        return text.isEmpty() ? Set.of() : Arrays.stream(text.split("\n")).map(StoreDir.DEFAULT::parse).collect(Collectors.toSet());
    }

    private static Optional<StorePath> nixDeriver(String path) throws IOException {
        String d = NixFixture.runText("nix-store", "-q", "--deriver", path).strip();
        return d.equals("unknown-deriver") ? Optional.empty() : Optional.of(StoreDir.DEFAULT.parse(d));
    }

    @Test
    void readExport_nixStoreExportOfClosure_givesEveryPathReferenceAndDeriver() throws Exception {
        List<String> args = new ArrayList<>(List.of("nix-store", "--export"));
        args.addAll(closure);
        Process nix = NixFixture.start(args.toArray(String[]::new));
        Map<StorePath, ExportedPath> read = new HashMap<>();
        try (ExportReader reader = new ExportReader(nix.getInputStream(), "nix-store --export", StoreDir.DEFAULT)) {
            for (ExportedPath p; (p = reader.next(null)) != null; ) {
                read.put(p.path(), p);
            }
        }
        NixFixture.waitOk(nix, "nix-store --export");
        assertEquals(closure.size(), read.size());
        for (String path : closure) {
            ExportedPath p = read.get(StoreDir.DEFAULT.parse(path));
            JsonNode info = NixFixture.pathInfo(path).get(0);
            assertEquals(nixReferences(path), p.references(), path);
            assertEquals(nixDeriver(path), p.deriver(), path);
            assertEquals(Hash.parse(info.get("narHash").asText()), p.narHash(), path);
            assertEquals(info.get("narSize").asLong(), p.narSize(), path);
        }
        assertTrue(read.get(StoreDir.DEFAULT.parse(app)).references().contains(StoreDir.DEFAULT.parse(app)), "self-reference kept");
    }

    @Test
    void writeExport_closure_isImportedByNixIntoSecondStore() throws Exception {
        Path second = NixFixture.WORK.resolve("import-store");
        NixFixture.deleteRecursively(second);
        Path stream = NixFixture.WORK.resolve("ours.export");
        List<String> ordered = Arrays.asList(NixFixture.runText("nix-store", "-qR", "--", app).strip().split("\n"));
        try (OutputStream out = Files.newOutputStream(stream)) {
            WireSink sink = new WireSink(out);
            ExportWriter writer = new ExportWriter(sink, StoreDir.DEFAULT);
            for (String path : ordered) { // nix-store -qR lists references first
                writer.add(StoreDir.DEFAULT.parse(path), nixReferences(path), nixDeriver(path),
                        nar -> NarDumper.dump(Path.of(path), nar));
            }
            writer.finish();
        }
        Process imp = new ProcessBuilder("nix-store", "--store", second.toString(), "--import")
                .redirectInput(stream.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String imported = new String(imp.getInputStream().readAllBytes()).strip();
        NixFixture.waitOk(imp, "nix-store --import");
        assertEquals(new TreeSet<>(ordered), new TreeSet<>(Arrays.asList(imported.split("\n"))));
        for (String path : ordered) {
            JsonNode theirs = NixFixture.pathInfo("--store", second.toString(), path).get(0);
            JsonNode original = NixFixture.pathInfo(path).get(0);
            assertEquals(original.get("narHash").asText(), theirs.get("narHash").asText(), path);
            assertEquals(original.get("references"), theirs.get("references"), path);
        }
        NixFixture.run("nix-store", "--store", second.toString(), "--verify", "--check-contents");
    }

    @Test
    void readCache_nixCopyToFile_givesClosureWithVerifiedNars() throws Exception {
        Path cacheDir = NixFixture.WORK.resolve("nix-cache");
        NixFixture.deleteRecursively(cacheDir);
        NixFixture.run("nix", "--extra-experimental-features", NIX_COMMAND, "copy", "--to", "file://" + cacheDir, app);
        BinaryCache cache = BinaryCache.open(cacheDir);
        List<NarInfo> infos = cache.closure(List.of(StoreDir.DEFAULT.parse(app)));
        assertEquals(new TreeSet<>(closure), infos.stream().map(i -> StoreDir.DEFAULT.print(i.storePath())).collect(Collectors.toCollection(TreeSet::new)));
        for (NarInfo info : infos) {
            String path = StoreDir.DEFAULT.print(info.storePath());
            assertEquals(nixReferences(path), info.references(), path);
            assertEquals(nixDeriver(path), info.deriver(), path);
            assertEquals(Hash.parse(NixFixture.pathInfo(path).get(0).get("narHash").asText()), Hash.of(cache.readNar(info, null)), path);
        }
        // references come before the paths that use them
        assertEquals(app, StoreDir.DEFAULT.print(infos.get(infos.size() - 1).storePath()));
    }

    @Test
    void writeCache_signedWithNixKey_isAcceptedByNixCopyIntoSecondStore() throws Exception {
        Path keys = Files.createDirectories(NixFixture.WORK.resolve("keys"));
        Path sk = keys.resolve("sk");
        Path pk = keys.resolve("pk");
        Files.deleteIfExists(sk);
        Files.deleteIfExists(pk);
        NixFixture.run("nix-store", "--generate-binary-cache-key", "cw-test-1", sk.toString(), pk.toString());
        SigningKey key = SigningKey.parse(Files.readString(sk));

        for (NarCompression compression : List.of(NarCompression.XZ, NarCompression.ZSTD, NarCompression.NONE)) {
            Path cacheDir = NixFixture.WORK.resolve("our-cache-" + compression.nixName());
            Path second = NixFixture.WORK.resolve("copy-store-" + compression.nixName());
            NixFixture.deleteRecursively(cacheDir);
            NixFixture.deleteRecursively(second);
            BinaryCacheWriter writer = new BinaryCacheWriter(cacheDir, StoreDir.DEFAULT, compression, key, false);
            for (String path : closure) {
                writer.add(StoreDir.DEFAULT.parse(path), nixReferences(path), nixDeriver(path), Optional.empty(),
                        nar -> NarDumper.dump(Path.of(path), nar));
            }
            // With the public key trusted, Nix checks our signatures (no --no-check-sigs).
            NixFixture.run("nix", "--extra-experimental-features", NIX_COMMAND, "copy",
                    "--option", "trusted-public-keys", Files.readString(pk).strip(),
                    "--from", "file://" + cacheDir, "--to", second.toString(), app);
            // And with another key trusted instead, the same cache is refused: the check is real.
            Path third = NixFixture.WORK.resolve("copy-store-refused");
            NixFixture.deleteRecursively(third);
            Path otherSk = keys.resolve("other-sk");
            Path otherPk = keys.resolve("other-pk");
            Files.deleteIfExists(otherSk);
            Files.deleteIfExists(otherPk);
            NixFixture.run("nix-store", "--generate-binary-cache-key", "cw-other", otherSk.toString(), otherPk.toString());
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> NixFixture.run("nix", "--extra-experimental-features",
                    NIX_COMMAND, "copy", "--option", "trusted-public-keys", Files.readString(otherPk).strip(),
                    "--from", "file://" + cacheDir, "--to", third.toString(), app));
            for (String path : closure) {
                JsonNode theirs = NixFixture.pathInfo("--store", second.toString(), path).get(0);
                JsonNode original = NixFixture.pathInfo(path).get(0);
                assertEquals(original.get("narHash").asText(), theirs.get("narHash").asText(), path);
                assertEquals(original.get("references"), theirs.get("references"), path);
            }
        }
    }

    @Test
    void writeCache_unsigned_isAcceptedWithNoCheckSigs() throws Exception {
        Path cacheDir = NixFixture.WORK.resolve("our-cache-unsigned");
        Path second = NixFixture.WORK.resolve("copy-store-unsigned");
        NixFixture.deleteRecursively(cacheDir);
        NixFixture.deleteRecursively(second);
        BinaryCacheWriter writer = new BinaryCacheWriter(cacheDir, StoreDir.DEFAULT, NarCompression.BZIP2, null, false);
        for (String path : closure) {
            writer.add(StoreDir.DEFAULT.parse(path), nixReferences(path), nixDeriver(path), Optional.empty(),
                    nar -> NarDumper.dump(Path.of(path), nar));
        }
        NixFixture.run("nix", "--extra-experimental-features", NIX_COMMAND, "copy", "--no-check-sigs",
                "--from", "file://" + cacheDir, "--to", second.toString(), app);
        try (InputStream ignored = Files.newInputStream(cacheDir.resolve("nix-cache-info"))) {
            assertEquals(NixFixture.pathInfo(app).get(0).get("narHash").asText(),
                    NixFixture.pathInfo("--store", second.toString(), app).get(0).get("narHash").asText());
        }
    }
}
