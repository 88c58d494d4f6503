package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedirectedFileSystemTest {
    private static final String ZLIB = "/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-zlib";
    private static final String APP = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-app";

    @TempDir
    Path restored;

    private RedirectedFileSystem fs() throws IOException {
        Path lib = Files.createDirectories(restored.resolve(ZLIB.substring(11)).resolve("lib"));
        // Any real ELF library will do: the host's own zlib.
        Files.copy(Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1").toRealPath(), lib.resolve("libz.so.1.2.13"));
        Files.createSymbolicLink(lib.resolve("libz.so.1"), Path.of("libz.so.1.2.13"));
        Path bin = Files.createDirectories(restored.resolve(APP.substring(11)).resolve("bin"));
        Files.createSymbolicLink(bin.resolve("z"), Path.of(ZLIB + "/lib/libz.so.1"));
        Files.createSymbolicLink(bin.resolve("up"), Path.of("../../" + ZLIB.substring(11) + "/lib"));
        return new RedirectedFileSystem("/nix/store", restored.toString());
    }

    @Test
    void absoluteLinkIntoTheStore_followedInsideTheRestoredTree() throws IOException {
        RedirectedFileSystem fs = fs();
        assertEquals(Optional.of(ZLIB + "/lib/libz.so.1.2.13"), fs.canonical(APP + "/bin/z"));
        FileSystemView.Opened opened = fs.open(APP + "/bin/z").orElseThrow();
        assertEquals(ZLIB + "/lib/libz.so.1.2.13", opened.canonicalPath());
        assertEquals(Optional.of(dev.closurewrap.io.ByteString.utf8("libz.so.1")), opened.object().soname());
    }

    @Test
    void relativeLinksAndDotDot_resolvedAsTheKernelWould() throws IOException {
        RedirectedFileSystem fs = fs();
        assertEquals(Optional.of(ZLIB + "/lib/libz.so.1.2.13"), fs.canonical(APP + "/bin/up/libz.so.1"));
        assertEquals(Optional.of(ZLIB + "/lib"), fs.canonical(APP + "/bin/../bin/up"));
        assertTrue(fs.isDirectory(APP + "/bin/up"));
    }

    @Test
    void theRealStore_isNotSeen() throws IOException {
        RedirectedFileSystem fs = fs();
        assertFalse(fs.exists("/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-elsewhere"));
        assertFalse(fs.exists(ZLIB + "/lib/missing.so"));
        assertTrue(fs.exists(ZLIB + "/lib"));
        // Outside the store, the host's own files.
        assertTrue(fs.exists("/usr/lib/x86_64-linux-gnu/libz.so.1"));
    }

    @Test
    void logicalAndPhysical_mapBothWays() throws IOException {
        RedirectedFileSystem fs = fs();
        String physical = fs.physical(ZLIB + "/lib");
        assertEquals(restored + ZLIB.substring(10) + "/lib", physical);
        assertEquals(ZLIB + "/lib", fs.logical(physical));
        assertEquals("/usr/lib", fs.physical("/usr/lib"));
        assertEquals("/nix/storeX", fs.physical("/nix/storeX"));
    }
}
