package dev.closurewrap.nar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Property: random trees survive write → read, and write → restore → dump, byte for byte. */
class NarRoundTripTest {
    @TempDir
    Path tmp;

    /** A node with its contents, as a test-side model of an archive. */
    record Item(NarNode node, byte[] contents) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Item other && node.equals(other.node) && Arrays.equals(contents, other.contents);
        }

        @Override
        public int hashCode() {
            return node.hashCode();
        }

        @Override
        public String toString() {
            return node + (contents == null ? "" : " [" + contents.length + " bytes]");
        }
    }

    @Test
    void writeThenRead_randomTrees_giveBackTheSameNodes() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<Item> tree = randomTree(random, false);
            byte[] nar = write(tree);
            assertEquals(tree, read(nar), "round " + round);
        }
    }

    @Test
    void writeRestoreDump_randomTrees_giveTheSameBytes() throws Exception {
        Random random = new Random(4242);
        for (int round = 0; round < 40; round++) {
            List<Item> tree = randomTree(random, true);
            byte[] nar = write(tree);
            Path target = tmp.resolve("t" + round);
            NarDigest restored;
            try (NarReader r = NarReader.standalone(new ByteArrayInputStream(nar), "random.nar")) {
                restored = NarRestorer.restore(r, target);
            }
            ByteArrayOutputStream dumped = new ByteArrayOutputStream();
            NarDigest dumpedDigest = NarDumper.dump(target, new NarWriter(new WireSink(dumped), "dump", true));
            assertArrayEquals(nar, dumped.toByteArray(), "round " + round + ": " + tree);
            assertEquals(restored, dumpedDigest);
        }
    }

    static byte[] write(List<Item> tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NarWriter w = new NarWriter(new WireSink(out, 8192), "random", true);
        for (Item item : tree) {
            w.node(item.node(), item.contents() == null ? null : new ByteArrayInputStream(item.contents()));
        }
        NarDigest digest = w.finish();
        assertEquals(out.size(), digest.size());
        return out.toByteArray();
    }

    static List<Item> read(byte[] nar) throws IOException {
        List<Item> items = new ArrayList<>();
        try (NarReader r = new NarReader(new WireSource(new ByteArrayInputStream(nar), "random.nar", 8192), true)) {
            for (NarNode node; (node = r.next()) != null; ) {
                items.add(new Item(node, node instanceof NarNode.Regular ? r.contents().readAllBytes() : null));
            }
        }
        return items;
    }

    /** A random tree in archive order; {@code onDisk} keeps symlink targets Java can create exactly. */
    static List<Item> randomTree(Random random, boolean onDisk) {
        List<Item> items = new ArrayList<>();
        int kind = random.nextInt(5);
        if (kind == 0) {
            addLeaf(items, ByteString.EMPTY, random, onDisk);
        } else {
            addDirectory(items, ByteString.EMPTY, random, onDisk, 0);
        }
        return items;
    }

    private static void addDirectory(List<Item> items, ByteString path, Random random, boolean onDisk, int depth) {
        items.add(new Item(new NarNode.Directory(path), null));
        TreeSet<ByteString> names = new TreeSet<>();
        int count = depth > 3 ? random.nextInt(2) : random.nextInt(6);
        while (names.size() < count) {
            names.add(randomName(random));
        }
        for (ByteString name : names) {
            ByteString child = NarPaths.child(path, name);
            if (random.nextInt(4) == 0 && depth < 6) {
                addDirectory(items, child, random, onDisk, depth + 1);
            } else {
                addLeaf(items, child, random, onDisk);
            }
        }
    }

    private static void addLeaf(List<Item> items, ByteString path, Random random, boolean onDisk) {
        if (random.nextInt(3) == 0) {
            items.add(new Item(new NarNode.Symlink(path, randomTarget(random, onDisk)), null));
        } else {
            int size = random.nextInt(10) == 0 ? random.nextInt(50_000) : random.nextInt(20);
            byte[] contents = new byte[size];
            random.nextBytes(contents);
            items.add(new Item(new NarNode.Regular(path, random.nextBoolean(), size), contents));
        }
    }

    /** 1 to 12 bytes, any but '/' and NUL, not "." or ".."; often not UTF-8. */
    static ByteString randomName(Random random) {
        while (true) {
            byte[] b = new byte[1 + random.nextInt(12)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(3) == 0 ? (byte) (1 + random.nextInt(255)) : (byte) ('a' + random.nextInt(26));
                if (b[i] == '/') {
                    b[i] = '_';
                }
            }
            ByteString name = ByteString.of(b);
            if (NarLimits.checkName(name, null) == null) {
                return name;
            }
        }
    }

    private static ByteString randomTarget(Random random, boolean onDisk) {
        if (onDisk) {
            String[] parts = {"a", "..", "lib", "/nix/store/abc-x", "é", "bin/sh"};
            StringBuilder sb = new StringBuilder(parts[random.nextInt(parts.length)]);
            for (int i = random.nextInt(3); i > 0; i--) {
                sb.append('/').append(parts[random.nextInt(parts.length)].replace("/", ""));
            }
            return ByteString.utf8(sb.toString());
        }
        byte[] b = new byte[1 + random.nextInt(40)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (1 + random.nextInt(255));
        }
        return ByteString.of(b);
    }
}
