package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.TestClosure;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.store.NarInfo;
import dev.closurewrap.store.StoreDir;
import dev.closurewrap.store.StorePath;
import dev.closurewrap.store.VerifyingKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NAR and {@code file://} outputs against Nix itself: trees of the test closure written through
 * the sinks unchanged must give the bytes of {@code nix-store --dump}, and a cache written through
 * the sink must be imported by {@code nix copy} with the NarHash and references Nix registered.
 */
class NarAndCacheSinkIT {
    private static final String NIX_COMMAND = "nix-command";

    @TempDir
    Path temp;

    private static byte[] nixDump(Path path) throws IOException {
        Process p = new ProcessBuilder("nix-store", "--dump", path.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        try {
            assertEquals(0, p.waitFor(), "nix-store --dump " + path);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return bytes;
    }

    private static byte[] decompressed(Path file) throws IOException {
        try (InputStream in = NarCompression.decompressing(Files.newInputStream(file), file.toString())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Writes {@code storePath} (and optionally the launchers a bundle has) through a sink for {@code out}. */
    private static void writeBundle(String out, List<Path> storePaths, Sinks.Options options) throws IOException {
        try (OutputSink sink = Sinks.open(Sinks.formOf(out), options)) {
            for (Path storePath : storePaths) {
                EntryPath entry = EntryPath.parse("store/" + storePath.getFileName());
                if (Files.isDirectory(storePath)) {
                    HostTree.add(storePath, Optional.of(entry), sink);
                } else if (Files.isSymbolicLink(storePath)) {
                    sink.symlink(entry, dev.closurewrap.io.ByteString.utf8(Files.readSymbolicLink(storePath).toString()));
                } else {
                    sink.file(entry, Files.isExecutable(storePath), storePath);
                }
            }
            sink.file(EntryPath.parse("bin/launcher"), true, new java.io.ByteArrayInputStream("#!/bin/sh\n".getBytes()));
            sink.finish();
        }
    }

    @Test
    void narOutput_ofEachCompression_isNixStoreDumpOfTheStorePath() throws Exception {
        for (String pkg : List.of("libgreet", "curl", "busybox")) {
            Path storePath = TestClosure.path(pkg);
            byte[] expected = nixDump(storePath);
            for (String suffix : List.of(".nar", ".nar.xz", ".nar.zst")) {
                Path out = temp.resolve(pkg + suffix);
                writeBundle(out.toString(), List.of(storePath), Sinks.Options.defaults());
                assertArrayEquals(expected, decompressed(out), pkg + suffix);
            }
        }
    }

    @Test
    void narOutput_ofASingleFileOrSymlinkRoot_isNixStoreDumpOfIt() throws Exception {
        Path dir = temp.resolve("src");
        Files.createDirectories(dir);
        Path file = dir.resolve("0123456789abcdfghijklmnpqrsvwxyz-script");
        Files.writeString(file, "#!/bin/sh\necho hi\n");
        file.toFile().setExecutable(true, true);
        Path link = dir.resolve("0123456789abcdfghijklmnpqrsvwxy0-link");
        Files.createSymbolicLink(link, Path.of("../somewhere/else"));
        for (Path root : List.of(file, link)) {
            Path out = temp.resolve(root.getFileName() + ".nar");
            writeBundle(out.toString(), List.of(root), Sinks.Options.defaults());
            assertArrayEquals(nixDump(root), Files.readAllBytes(out), root.toString());
        }
    }

    @Test
    void narOutput_withSeveralStorePaths_takesTheDeclaredRoot() throws Exception {
        Path greet = TestClosure.path("libgreet");
        Path musl = TestClosure.path("musl");
        Path out = temp.resolve("two.nar");
        try (OutputSink sink = Sinks.open(Sinks.formOf(out.toString()), Sinks.Options.defaults())) {
            HostTree.add(musl, Optional.of(EntryPath.parse("store/" + musl.getFileName())), sink);
            HostTree.add(greet, Optional.of(EntryPath.parse("store/" + greet.getFileName())), sink);
            sink.roots(List.of(EntryPath.parse("store/" + greet.getFileName())));
            sink.finish();
        }
        assertArrayEquals(nixDump(greet), Files.readAllBytes(out));
    }

    @Test
    void binaryCache_ofTheTestClosure_isImportedByNixCopyWithNixsOwnHashesAndReferences() throws Exception {
        List<Path> closure = TestClosure.closure();
        for (Compression compression : List.of(Compression.XZ, Compression.ZSTD)) {
            Path cache = temp.resolve("cache-" + compression);
            Sinks.Options options = new Sinks.Options(false, false, Optional.empty(), Optional.empty(),
                    TestClosure.storeDir(), compression, Optional.empty());
            writeBundle("file://" + cache, closure, options);

            assertEquals("StoreDir: " + TestClosure.storeDir() + "\n", Files.readString(cache.resolve("nix-cache-info")));
            Path root = temp.resolve("x-store-root-" + compression);
            List<String> command = new ArrayList<>(List.of("nix", "--extra-experimental-features", NIX_COMMAND, "copy",
                    "--no-check-sigs", "--from", "file://" + cache, "--to", root.toString()));
            closure.forEach(p -> command.add(p.toString()));
            TestClosure.run(command);

            ObjectMapper json = new ObjectMapper();
            for (Path path : closure) {
                JsonNode theirs = json.readTree(TestClosure.run(List.of("nix", "--extra-experimental-features",
                        NIX_COMMAND, "path-info", "--json", "--store", root.toString(), path.toString()))).get(0);
                JsonNode original = json.readTree(TestClosure.run(List.of("nix", "--extra-experimental-features",
                        NIX_COMMAND, "path-info", "--json", path.toString()))).get(0);
                assertEquals(original.get("narHash").asText(), theirs.get("narHash").asText(), path.toString());
                assertEquals(original.get("narSize").asLong(), theirs.get("narSize").asLong(), path.toString());
                assertEquals(original.get("references"), theirs.get("references"), path.toString());
                NarInfo info = NarInfo.parse(Files.readAllBytes(cache.resolve(
                        StoreDir.DEFAULT.parse(path.toString()).hashPart() + ".narinfo")), path.toString(), StoreDir.DEFAULT);
                assertEquals(compression == Compression.XZ ? "xz" : "zstd", info.compression());
                assertEquals(Files.size(cache.resolve(info.url())), info.fileSize().getAsLong());
                assertTrue(info.sigs().isEmpty(), "unsigned without a key");
            }
        }
    }

    @Test
    void binaryCache_withASecretKey_signsEachNarinfo() throws Exception {
        Path sk = temp.resolve("sk");
        Path pk = temp.resolve("pk");
        TestClosure.run(List.of("nix-store", "--generate-binary-cache-key", "cw-sink-1", sk.toString(), pk.toString()));
        Path greet = TestClosure.path("libgreet");
        Path musl = TestClosure.path("musl");
        Path cache = temp.resolve("signed");
        Sinks.Options options = new Sinks.Options(false, false, Optional.empty(), Optional.empty(),
                TestClosure.storeDir(), Compression.NONE, Optional.of(sk));
        writeBundle("file://" + cache, List.of(greet, musl), options);

        VerifyingKey key = VerifyingKey.parse(Files.readString(pk));
        Set<String> narinfos;
        try (var files = Files.list(cache)) {
            narinfos = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".narinfo"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(2, narinfos.size(), narinfos.toString());
        for (String name : narinfos) {
            NarInfo info = NarInfo.parse(Files.readAllBytes(cache.resolve(name)), name, StoreDir.DEFAULT);
            assertEquals(1, info.sigs().size());
            assertTrue(key.verify(info.fingerprint(StoreDir.DEFAULT), info.sigs().get(0)), name);
        }
        // libgreet's RUNPATH names musl: a reference found by scanning what was written.
        NarInfo greetInfo = NarInfo.parse(Files.readAllBytes(cache.resolve(
                greet.getFileName().toString().substring(0, 32) + ".narinfo")), "greet", StoreDir.DEFAULT);
        assertEquals(new TreeSet<>(List.of(StorePath.parseBaseName(musl.getFileName().toString()))),
                greetInfo.references());
        // Nix accepts the signatures when the key is trusted.
        TestClosure.run(List.of("nix", "--extra-experimental-features", NIX_COMMAND, "copy", "--option",
                "trusted-public-keys", Files.readString(pk).strip(), "--from", "file://" + cache,
                "--to", temp.resolve("signed-root").toString(), greet.toString()));
    }
}
