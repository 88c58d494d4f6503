package dev.closurewrap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.TestClosure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Our closures against Nix's on the real test closure. */
class ClosureSourceIT {
    @Test
    void closureByScanning_testClosure_equalsNixRequisites() throws IOException {
        Closure scanned = new StoreDirSource(TestClosure.storeDir(), TestClosure.roots(),
                StoreDirSource.References.SCAN).closure();
        assertEquals(new TreeSet<>(TestClosure.closure()), new TreeSet<>(scanned.paths()));
        assertEquals("reference scan", scanned.origin());
    }

    @Test
    void referencesByScanning_everyPath_equalNixReferences() throws IOException {
        Closure scanned = new StoreDirSource(TestClosure.storeDir(), TestClosure.roots(),
                StoreDirSource.References.SCAN).closure();
        for (ClosureItem item : scanned.items()) {
            assertEquals(new TreeSet<>(TestClosure.references(item.path())), new TreeSet<>(item.references()),
                    item.path().toString());
        }
    }

    @Test
    void closureFromNixDatabase_testClosure_equalsNixRequisitesWithReferences() throws IOException {
        Closure fromNix = new StoreDirSource(TestClosure.storeDir(), TestClosure.roots(),
                StoreDirSource.References.NIX_DATABASE).closure();
        assertEquals(new TreeSet<>(TestClosure.closure()), new TreeSet<>(fromNix.paths()));
        Path curl = TestClosure.path("curl");
        assertEquals(Set.copyOf(TestClosure.references(curl)), fromNix.itemOf(curl).orElseThrow().references());
        assertEquals("nix database", fromNix.origin());
        assertEquals(List.copyOf(new TreeSet<>(TestClosure.roots())), List.copyOf(new TreeSet<>(fromNix.roots())));
    }
}
