package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A small tree with every entry kind, built on disk in a chosen order, and tree comparison. */
final class SinkTesting {
    private SinkTesting() {}

    static final String LONG_NAME = "x".repeat(150);

    /** path → content ("dir", "->target" for a link, "*content" for an executable, "content"). */
    static Map<String, String> sampleTree() {
        Map<String, String> tree = new TreeMap<>();
        tree.put("store", "dir");
        tree.put("store/aaa-foo", "dir");
        tree.put("store/aaa-foo/bin", "dir");
        tree.put("store/aaa-foo/bin/foo", "*#!/bin/sh\necho foo\n");
        tree.put("store/aaa-foo/lib", "dir");
        tree.put("store/aaa-foo/lib/libfoo.so.1", "->libfoo.so.1.2");
        tree.put("store/aaa-foo/lib/libfoo.so.1.2", "ELF pretend\0\1\2".repeat(500));
        tree.put("store/aaa-foo/lib/a.txt", "a");
        tree.put("store/aaa-foo/lib/a-b", "a-b");
        tree.put("store/aaa-foo/empty", "");
        tree.put("store/bbb-bar", "dir");
        tree.put("store/bbb-bar/share", "dir");
        tree.put("store/bbb-bar/share/" + LONG_NAME, "long name");
        tree.put("store/bbb-bar/share/longlink", "->" + "../".repeat(10) + LONG_NAME);
        tree.put("bin", "dir");
        tree.put("bin/foo", "*launcher\n");
        return tree;
    }

    /** Writes {@code tree} below {@code root}, creating entries in a shuffled order with the given seed. */
    static void writeShuffled(Path root, Map<String, String> tree, long seed, long mtimeMillis, boolean privateModes)
            throws IOException {
        List<String> order = new ArrayList<>(tree.keySet());
        Collections.shuffle(order, new Random(seed));
        for (String path : order) {
            String spec = tree.get(path);
            Path p = root.resolve(path);
            Files.createDirectories(p.getParent());
            if (spec.equals("dir")) {
                Files.createDirectories(p);
            } else if (spec.startsWith("->")) {
                Files.createSymbolicLink(p, Path.of(spec.substring(2)));
            } else {
                boolean exec = spec.startsWith("*");
                Files.write(p, (exec ? spec.substring(1) : spec).getBytes(StandardCharsets.UTF_8));
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        exec ? (privateModes ? "rwx------" : "rwxr-xr-x") : (privateModes ? "rw-------" : "rw-r--r--")));
            }
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
                }
            }
        }
    }

    /** The tree below {@code root} in the notation of {@link #sampleTree}, read from disk. */
    static Map<String, String> readTree(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    tree.put(rel, "->" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    tree.put(rel, "dir");
                } else {
                    boolean exec = Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
                    tree.put(rel, (exec ? "*" : "") + Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
        return tree;
    }

    static void assertSameTree(Map<String, String> expected, Path root) throws IOException {
        assertEquals(expected, readTree(root));
    }

    static int run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        return p.waitFor();
    }
}
