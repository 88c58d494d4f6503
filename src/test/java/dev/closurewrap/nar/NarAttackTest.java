package dev.closurewrap.nar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.closurewrap.nar.BadNarException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile archives, each crafted in code: every one is rejected with its own reason, the error
 * names the offset and the entry, and restoring it leaves nothing behind, inside or outside the
 * target directory.
 */
class NarAttackTest {
    @TempDir
    Path tmp;

    private static NarBytes dir() {
        return new NarBytes().strs("nix-archive-1", "(", "type", "directory");
    }

    private static byte[] withEntry(String name) {
        return dir().entry(name).file("x", false).str(")").str(")").bytes();
    }

    private static byte[] withEntry(byte[] name) {
        return dir().strs("entry", "(", "name").str(name).strs("node", "(", "type").file("x", false).str(")").str(")").bytes();
    }

    private static byte[] symlinkTo(byte[] target) {
        return dir().strs("entry", "(", "name").str("l").strs("node", "(", "type", "symlink", "target").str(target)
                .str(")").str(")").str(")").bytes();
    }

    static Stream<Arguments> corpus() {
        byte[] longName = new byte[256];
        Arrays.fill(longName, (byte) 'n');
        byte[] longTarget = new byte[4096];
        Arrays.fill(longTarget, (byte) 't');
        NarBytes deep = new NarBytes().strs("nix-archive-1", "(", "type", "directory");
        for (int i = 0; i < 64; i++) {
            deep.entry("d").str("directory");
        }
        byte[] vector = NarBytes.testVector();
        byte[] badNamePadding = withEntry("abc");
        badNamePadding[indexOf(badNamePadding, new byte[] {3, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c'}) + 11] = 1; // padding after "abc"
        byte[] badContentsPadding = dir().entry("f").str("regular").str("contents").u64(1).raw(new byte[] {'x', 0, 0, 7, 0, 0, 0, 0})
                .str(")").str(")").str(")").bytes();
        return Stream.of(
                Arguments.of("empty name", withEntry(""), Reason.NAME_EMPTY),
                Arguments.of("name .", withEntry("."), Reason.NAME_DOT),
                Arguments.of("name ..", withEntry(".."), Reason.NAME_DOT),
                Arguments.of("name with slash", withEntry("../escape"), Reason.NAME_SLASH),
                Arguments.of("absolute name", withEntry("/etc/passwd"), Reason.NAME_SLASH),
                Arguments.of("name with NUL", withEntry(new byte[] {'a', 0, 'b'}), Reason.NAME_NUL),
                Arguments.of("name of 256 bytes", withEntry(longName), Reason.NAME_TOO_LONG),
                Arguments.of("name length 2^40 (no allocation)", dir().strs("entry", "(", "name").u64(1L << 40).bytes(), Reason.NAME_TOO_LONG),
                Arguments.of("duplicate names", dir().entry("a").file("1", false).str(")").entry("a").file("2", false).str(")").str(")").bytes(),
                        Reason.NAME_NOT_INCREASING),
                Arguments.of("unsorted names", dir().entry("b").file("1", false).str(")").entry("a").file("2", false).str(")").str(")").bytes(),
                        Reason.NAME_NOT_INCREASING),
                Arguments.of("symlink then same-named directory", dir().entry("a").strs("symlink", "target", "/tmp", ")").str(")")
                        .entry("a").str("directory").entry("x").file("pwned", false).str(")").str(")").str(")").str(")").bytes(),
                        Reason.NAME_NOT_INCREASING),
                Arguments.of("non-zero padding after a name", badNamePadding, Reason.NONZERO_PADDING),
                Arguments.of("non-zero padding after contents", badContentsPadding, Reason.NONZERO_PADDING),
                Arguments.of("contents length beyond the input", dir().entry("f").strs("regular", "contents").u64(1L << 50).raw(new byte[64]).bytes(),
                        Reason.TRUNCATED),
                Arguments.of("contents length beyond 2^63", dir().entry("f").strs("regular", "contents").u64(-8).bytes(), Reason.CONTENTS_TOO_LARGE),
                Arguments.of("token length 2^60", new NarBytes().u64(1L << 60).bytes(), Reason.TOKEN_TOO_LONG),
                Arguments.of("nesting 64 deep", deep.bytes(), Reason.TOO_DEEP),
                Arguments.of("empty symlink target", symlinkTo(new byte[0]), Reason.TARGET_EMPTY),
                Arguments.of("symlink target of 4096 bytes", symlinkTo(longTarget), Reason.TARGET_TOO_LONG),
                Arguments.of("symlink target with NUL", symlinkTo(new byte[] {'/', 0, 'x'}), Reason.TARGET_NUL),
                Arguments.of("truncated in the middle", Arrays.copyOf(vector, 700), Reason.TRUNCATED),
                Arguments.of("trailing garbage", concat(vector, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}), Reason.TRAILING_DATA),
                Arguments.of("second archive appended", concat(vector, vector), Reason.TRAILING_DATA),
                Arguments.of("wrong magic", new NarBytes().strs("nix-archive-2", "(", "type", "regular", "contents", "", ")").bytes(),
                        Reason.UNEXPECTED_TOKEN),
                Arguments.of("unknown node type", new NarBytes().strs("nix-archive-1", "(", "type", "fifo", ")").bytes(), Reason.UNEXPECTED_TOKEN),
                Arguments.of("executable flag with a value", new NarBytes().strs("nix-archive-1", "(", "type", "regular", "executable", "yes").bytes(),
                        Reason.UNEXPECTED_TOKEN),
                Arguments.of("empty input", new byte[0], Reason.TRUNCATED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void read_hostileArchive_isRejectedWithItsReason(String name, byte[] nar, Reason expected) throws Exception {
        BadNarException e = assertThrows(BadNarException.class, () -> {
            try (NarReader r = NarReader.standalone(new ByteArrayInputStream(nar), "evil.nar")) {
                r.drain();
            }
        });
        assertEquals(expected, e.reason(), e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() <= nar.length, e.getMessage());
        assertTrue(e.getMessage().startsWith("evil.nar!/"), e.getMessage());
        assertTrue(e.getMessage().contains(": bad NAR at 0x"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void restore_hostileArchive_leavesNothingBehind(String name, byte[] nar, Reason expected) throws Exception {
        Path area = Files.createDirectory(tmp.resolve("area"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        BadNarException e = assertThrows(BadNarException.class, () -> {
            try (NarReader r = NarReader.standalone(new ByteArrayInputStream(nar), "evil.nar")) {
                NarRestorer.restore(r, area.resolve("target"));
            }
        });
        assertEquals(expected, e.reason());
        assertEquals(List.of(), list(area), "restore left something in the target's directory");
        assertEquals(List.of(), list(outside));
        assertEquals(List.of("area", "outside"), list(tmp));
    }

    @Test
    void read_everyTruncationOfTheTestVector_isRejectedAsTruncated() throws Exception {
        byte[] vector = NarBytes.testVector();
        for (int cut = 0; cut < vector.length; cut++) {
            byte[] prefix = Arrays.copyOf(vector, cut);
            try (NarReader r = NarReader.standalone(new ByteArrayInputStream(prefix), "cut.nar")) {
                r.drain();
                fail("prefix of " + cut + " bytes accepted");
            } catch (BadNarException e) {
                assertEquals(Reason.TRUNCATED, e.reason(), "cut at " + cut + ": " + e.getMessage());
            }
        }
    }

    @Test
    void read_randomlyMutatedArchives_failOnlyWithBadNar() throws Exception {
        Random random = new Random(20240601);
        byte[] vector = NarBytes.testVector();
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = vector.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try (NarReader r = NarReader.standalone(new ByteArrayInputStream(mutated), "fuzz.nar")) {
                for (NarNode node; (node = r.next()) != null; ) {
                    if (node instanceof NarNode.Regular) {
                        r.contents().readAllBytes();
                    }
                }
            } catch (BadNarException e) {
                rejected++;
            }
        }
        assertTrue(rejected > 1000, "only " + rejected + " of 3000 mutations were rejected");
    }

    @Test
    void restore_symlinkToOutside_isCreatedButNeverFollowed() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        byte[] nar = dir().entry("esc").strs("symlink", "target").str(outside.toString()).str(")").str(")")
                .entry("esc2").file("data", false).str(")").str(")").bytes();
        Path target = tmp.resolve("t");
        try (NarReader r = NarReader.standalone(new ByteArrayInputStream(nar), "links.nar")) {
            NarRestorer.restore(r, target);
        }
        assertTrue(Files.isSymbolicLink(target.resolve("esc")));
        assertEquals(List.of(), list(outside));
    }

    @Test
    void restore_existingTarget_isNotTouched() throws Exception {
        Path target = Files.createDirectory(tmp.resolve("t"));
        Files.writeString(target.resolve("keep"), "mine");
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> {
            try (NarReader r = NarReader.standalone(new ByteArrayInputStream(NarBytes.testVector()), "d.nar")) {
                NarRestorer.restore(r, target);
            }
        });
        assertEquals(List.of("keep"), list(target));
        assertFalse(list(tmp).stream().anyMatch(n -> n.contains("partial")));
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
