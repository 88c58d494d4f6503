package dev.closurewrap.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.io.BytePaths;
import dev.closurewrap.io.ByteString;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerPathsTest {
    private static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    private static String origin(String fromDir, String to) {
        return Planner.origin(BytePaths.components(bs(fromDir)), BytePaths.components(bs(to))).utf8();
    }

    @Test
    void origin_isTheShortestRelativePath() {
        assertEquals("$ORIGIN/../../h-zlib/lib/libz.so.1.2.13", origin("h-curl/bin", "h-zlib/lib/libz.so.1.2.13"));
        assertEquals("$ORIGIN/libcrypto.so.3", origin("h-openssl/lib", "h-openssl/lib/libcrypto.so.3"));
        assertEquals("$ORIGIN/../lib/liblzma.so.5", origin("h-xz/bin", "h-xz/lib/liblzma.so.5"));
        assertEquals("$ORIGIN", origin("h-xz/lib", "h-xz/lib"));
        assertEquals("$ORIGIN/../../../h-glibc/lib", origin("h-a/lib/sub", "h-glibc/lib"));
    }

    @Test
    void relative_keepsDotDotInTheTarget_whereASymlinkMayStand() {
        assertEquals("../../h-b/lib/../lib64", BytePaths.relative(List.of(bs("h-a"), bs("lib")),
                BytePaths.components(bs("h-b/lib/../lib64"))).utf8());
    }

    @Test
    void realFileName_isHidden_numberedOnAClash_andShortEnough() {
        Set<ByteString> siblings = new HashSet<>(List.of(bs("curl"), bs(".curl-real")));
        assertEquals(".curl-real-2", Planner.realFileName(bs("curl"), siblings).utf8());
        assertEquals(".xz-real", Planner.realFileName(bs("xz"), siblings).utf8());
        assertEquals(".closure-wrap-real-1", Planner.realFileName(bs("x".repeat(250)), siblings).utf8());
    }
}
