package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathGlobsTest {
    private static boolean matches(String glob, String path) {
        return PathGlobs.of(List.of(glob)).matches(path);
    }

    @Test
    void doubleStarSlash_matchesZeroOrMoreComponents() {
        assertTrue(matches("**/*.debug", "x.debug"));
        assertTrue(matches("**/*.debug", "lib/debug/.build-id/ab/cdef.debug"));
        assertFalse(matches("**/*.debug", "lib/x.debugger"));
    }

    @Test
    void trailingDoubleStar_matchesEverythingBelow_notASiblingWithTheSamePrefix() {
        assertTrue(matches("lib/debug/**", "lib/debug/.build-id/ab/cd.debug"));
        assertTrue(matches("lib/firmware/**", "lib/firmware/iwlwifi.ucode"));
        assertFalse(matches("lib/debug/**", "lib/debugfs/x"));
        assertFalse(matches("lib/debug/**", "usr/lib/debug/x"));
    }

    @Test
    void star_andQuestionMark_stayInsideOneComponent() {
        assertTrue(matches("lib/*.a", "lib/libc.a"));
        assertFalse(matches("lib/*.a", "lib/sub/libc.a"));
        assertTrue(matches("lib/libc.so.?", "lib/libc.so.6"));
        assertFalse(matches("lib/?", "lib//"));
    }

    @Test
    void classes_andNegatedClasses() {
        assertTrue(matches("bin/[ab]x", "bin/ax"));
        assertFalse(matches("bin/[ab]x", "bin/cx"));
        assertTrue(matches("bin/[!ab]x", "bin/cx"));
        assertFalse(matches("bin/[!ab]x", "bin/ax"));
        assertTrue(matches("lib/[0-9].so", "lib/7.so"));
    }

    @Test
    void regexCharacters_areLiteral() {
        assertTrue(matches("a+b(c).so", "a+b(c).so"));
        assertFalse(matches("a.so", "axso"));
        assertTrue(matches("lib/[.+]", "lib/+"));
    }

    @Test
    void badPatterns_areRefusedWithTheProblem() {
        assertThrows(IllegalArgumentException.class, () -> PathGlobs.of(List.of("")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlobs.of(List.of("/lib/debug/**")))
                .getMessage().contains("absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlobs.of(List.of("lib**")))
                .getMessage().contains("whole path component"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlobs.of(List.of("**x/a")))
                .getMessage().contains("whole path component"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlobs.of(List.of("lib/[ab")))
                .getMessage().contains("without ']'"));
    }

    @Test
    void noPatterns_matchNothing() {
        assertFalse(PathGlobs.of(List.of()).matches("anything"));
    }
}
