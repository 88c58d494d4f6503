package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreDirSourceTest {
    @TempDir
    Path store;

    private Path path(String hash, String name) throws IOException {
        return Files.createDirectories(store.resolve(hash + "-" + name));
    }

    @Test
    void closure_byScanning_followsContentsNamesAndSymlinkTargets() throws IOException {
        Path app = path("0".repeat(32), "app");
        Path lib = path("1".repeat(32), "lib");
        Path data = path("2".repeat(32), "data");
        Path link = path("3".repeat(32), "linked");
        Path unrelated = path("4".repeat(32), "unrelated");
        Files.writeString(app.resolve("run"), "#!" + lib + "/bin/sh\n");
        Files.createDirectories(lib.resolve("bin"));
        Files.write(lib.resolve("bin/sh"), ("\0\0ELF" + data + "/share\0").getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(data.resolve("pointer"), link.resolve("x"));
        Files.writeString(link.resolve("x"), "nothing");
        Files.writeString(unrelated.resolve("y"), app.toString());

        Closure closure = new StoreDirSource(store, List.of(app.resolve("run")), StoreDirSource.References.SCAN)
                .closure();

        assertEquals(List.of(app), closure.roots());
        assertEquals(List.of(app, lib, data, link), closure.paths());
        assertEquals(Set.of(lib), closure.itemOf(app).orElseThrow().references());
        assertEquals(Set.of(link), closure.itemOf(data).orElseThrow().references());
        assertEquals("reference scan", closure.origin());
    }

    @Test
    void closure_selfReference_recorded() throws IOException {
        Path self = path("5".repeat(32), "self");
        Files.writeString(self.resolve("wrapper"), "exec " + self + "/bin/.wrapped");
        Closure closure = new StoreDirSource(store, List.of(self), StoreDirSource.References.SCAN).closure();
        assertEquals(Set.of(self), closure.items().get(0).references());
    }

    @Test
    void closure_rootOutsideTheStore_rejected() {
        assertThrows(IOException.class, () -> new StoreDirSource(store, List.of(Path.of("/usr/bin/env")),
                StoreDirSource.References.SCAN).closure());
    }

    @Test
    void storePathOf_fileInsideAStorePath_isTheStorePath() {
        Path storePath = Path.of("/nix/store/mwzcjvcrcg0z8s6gg073shbxz8vdfhak-curl");
        assertEquals(storePath, StoreDirSource.storePathOf(storePath.resolve("bin/curl")).orElseThrow());
        assertEquals(false, StoreDirSource.storePathOf(Path.of("/usr/bin/curl")).isPresent());
    }

    @Test
    void parseDumpDb_registrations_referencesPerPath() throws IOException {
        String dump = """
                /nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a
                35d57ce2b8d9c69a093bb21fa2e1e69d38fbb79be7ed0c7f4e22b3b9d8b6dbfd
                289624

                2
                /nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a
                /nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b
                /nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b
                35d57ce2b8d9c69a093bb21fa2e1e69d38fbb79be7ed0c7f4e22b3b9d8b6dbfd
                12
                /nix/store/cccccccccccccccccccccccccccccccc-b.drv
                0
                """;
        Map<Path, Set<Path>> refs = StoreDirSource.parseDumpDb(dump);
        assertEquals(Set.of(Path.of("/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a"),
                Path.of("/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b")),
                refs.get(Path.of("/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a")));
        assertEquals(Set.of(), refs.get(Path.of("/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b")));
    }

    @Test
    void parseDumpDb_truncated_rejected() {
        assertThrows(IOException.class, () -> StoreDirSource.parseDumpDb("/nix/store/x\nhash\n1\n"));
    }
}
