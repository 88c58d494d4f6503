package dev.closurewrap.graph;

import static dev.closurewrap.graph.FakeFileSystem.library;
import static dev.closurewrap.graph.FakeFileSystem.program;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MuslLoaderTest {
    private static final String LD = "/musl/lib/ld-musl-x86_64.so.1";
    private final FakeFileSystem fs = new FakeFileSystem().add("/musl/lib/libc.so", library("libc.so").musl().build())
            .link(LD, "/musl/lib/libc.so");

    private LoadTrace load(String program) throws IOException {
        return new MuslLoader(MuslConfig.x86_64(), fs).load(program);
    }

    private static Resolution resolution(LoadTrace trace, String requesterEnd, String needed) {
        return trace.resolutions().stream()
                .filter(r -> r.requester().endsWith(requesterEnd) && r.needed().equals(ByteString.utf8(needed)))
                .findFirst().orElseThrow();
    }

    @Test
    void reservedNames_areTheLoader() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().needs("libc.so", "libpthread.so.0", "libm.so").build());
        LoadTrace trace = load("/app/bin/prog");
        assertTrue(trace.resolutions().stream().allMatch(r -> r.how() == How.LOADER));
        assertEquals(List.of(LD), trace.loadOrder().stream().map(LoadTrace.Loaded::name).toList());
        assertEquals(List.of(), trace.failedLookups());
    }

    @Test
    void runpath_isInheritedAlongTheChain() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().runpath("$ORIGIN/../lib").needs("liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").musl().needs("libb.so").build())
                .add("/app/lib/libb.so", library("libb.so").musl().build());
        Resolution b = resolution(load("/app/bin/prog"), "liba.so", "libb.so");
        assertEquals(How.RUNPATH, b.how());
        assertEquals(Optional.of("/app/bin/../lib/libb.so"), b.openedAs());
    }

    @Test
    void originInNeeded_isNotExpanded() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().needs("$ORIGIN/../lib/liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").musl().build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(How.NOT_FOUND, resolution(trace, "prog", "$ORIGIN/../lib/liba.so").how());
        assertEquals(List.of("$ORIGIN/../lib/liba.so"), trace.failedLookups());
    }

    @Test
    void otherDollarToken_discardsTheWholePath() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().runpath("/app/lib:$LIB").needs("liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").musl().build());
        assertEquals(How.NOT_FOUND, resolution(load("/app/bin/prog"), "prog", "liba.so").how());
    }

    @Test
    void alreadyLoaded_matchesTheBasenameOfTheSearchedPath_notTheSoname() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().runpath("/app/lib").needs("liba.so", "libb.so.1", "libb.so").build())
                .add("/app/lib/liba.so", library("liba.so").musl().needs("libb.so.1").build())
                .add("/app/lib/libb.so.1", library("libb.so.1").musl().build())
                .link("/app/lib/libb.so", "/app/lib/libb.so.1");
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(How.ALREADY_LOADED, resolution(trace, "liba.so", "libb.so.1").how());
        // "libb.so" is another name: searched, then recognised by inode.
        assertEquals(How.RUNPATH, resolution(trace, "prog", "libb.so").how());
        assertEquals(2, trace.loadOrder().size());
    }

    @Test
    void defaultPath_afterTheMissingPathFile() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().needs("libz.so.1").build())
                .add("/usr/lib/libz.so.1", library("libz.so.1").musl().build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(How.DEFAULT, resolution(trace, "prog", "libz.so.1").how());
        assertEquals(List.of("/musl/etc/ld-musl-x86_64.path", "/lib/libz.so.1", "/usr/local/lib/libz.so.1"),
                trace.failedLookups());
    }

    @Test
    void neededWithSlash_isOpenedLiterally() throws IOException {
        fs.add("/app/bin/prog", program(LD).musl().needs("/app/lib/liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").musl().build());
        assertEquals(How.PATH, resolution(load("/app/bin/prog"), "prog", "/app/lib/liba.so").how());
    }
}
