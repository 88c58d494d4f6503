package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EntryPathTest {
    @Test
    void of_rejectsEveryWayOutOfTheTree() {
        for (String bad : new String[] {"", "/etc/passwd", "..", "a/../b", "a/..", "./a", "a/./b", "a//b", "a/", "a\0b"}) {
            BadInputException e = assertThrows(BadInputException.class, () -> EntryPath.of(ByteString.utf8(bad)), bad);
            assertTrue(e.getMessage().contains("bad entry path"), e.getMessage());
        }
    }

    @Test
    void of_acceptsDotsInsideNamesAndNonUtf8Bytes() throws BadInputException {
        EntryPath.of(ByteString.utf8("store/abc-foo/.hidden/..x/a..b/..."));
        EntryPath p = EntryPath.of(ByteString.of(new byte[] {'d', '/', (byte) 0xff, 'z'}));
        assertEquals(ByteString.of(new byte[] {(byte) 0xff, 'z'}), p.name());
        assertEquals(Optional.of(EntryPath.parse("d")), p.parent());
        assertEquals(2, p.depth());
        assertEquals(Optional.empty(), EntryPath.parse("top").parent());
    }

    @Test
    void order_isUnsignedBytes() {
        assertTrue(EntryPath.parse("a.txt").compareTo(EntryPath.parse("a/b")) < 0);
        assertTrue(EntryPath.parse("z").compareTo(new EntryPath(ByteString.of(new byte[] {(byte) 0x80}))) < 0);
    }
}
