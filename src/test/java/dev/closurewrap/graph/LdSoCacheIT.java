package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Our reading of the host's /etc/ld.so.cache against ldconfig's own listing. */
class LdSoCacheIT {
    @Test
    void lookup_everyX8664Name_equalsLdconfigsFirstEntry() throws IOException {
        String listing = TestClosure.run(List.of("/sbin/ldconfig", "-p"));
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : listing.split("\n")) {
            // "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1"
            String s = line.strip();
            int arrow = s.indexOf(" => ");
            if (arrow < 0 || !s.contains("(libc6,x86-64)")) {
                continue;
            }
            expected.putIfAbsent(s.substring(0, s.indexOf(" (")), s.substring(arrow + 4));
        }
        assertTrue(expected.size() > 50, "ldconfig -p listed " + expected.size());
        LdSoCache cache = LdSoCache.read(Path.of("/etc/ld.so.cache"));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(Optional.of(e.getValue()), cache.lookup(e.getKey(), 0x303, List.of()), e.getKey());
        }
    }
}
