package dev.closurewrap.graph;

import static dev.closurewrap.graph.FakeFileSystem.library;
import static dev.closurewrap.graph.FakeFileSystem.program;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GlibcLoaderTest {
    private static final String LD = "/glibc/lib/ld-linux-x86-64.so.2";
    /** One hwcaps subdirectory, no legacy ones, a cache file that does not exist. */
    private static final GlibcConfig CONFIG = new GlibcConfig(List.of("/lib/", "/usr/lib/"), "lib64", "x86_64",
            List.of("x86-64-v2"), List.of(), false, "/nonexistent/ld.so.cache", 0x303, Optional.empty());

    private final FakeFileSystem fs = new FakeFileSystem()
            .add(LD, library("ld-linux-x86-64.so.2").build())
            .add("/glibc/lib/libc.so.6", library("libc.so.6").needs("ld-linux-x86-64.so.2").build());

    private LoadTrace load(String program) throws IOException {
        return new GlibcLoader(CONFIG, fs).load(program);
    }

    private static Resolution resolution(LoadTrace trace, String requesterEnd, String needed) {
        return trace.resolutions().stream()
                .filter(r -> r.requester().endsWith(requesterEnd) && r.needed().equals(ByteString.utf8(needed)))
                .findFirst().orElseThrow();
    }

    private static List<String> order(LoadTrace trace) {
        return trace.loadOrder().stream().map(LoadTrace.Loaded::name).toList();
    }

    @Test
    void rpath_ofTheProgram_isInheritedByItsLibraries() throws IOException {
        fs.add("/app/bin/prog", program(LD).rpath("/app/lib:/glibc/lib").needs("liba.so", "libc.so.6").build())
                .add("/app/lib/liba.so", library("liba.so").needs("libb.so").build())
                .add("/app/lib/libb.so", library("libb.so").build());
        LoadTrace trace = load("/app/bin/prog");
        Resolution b = resolution(trace, "liba.so", "libb.so");
        assertEquals(How.RPATH, b.how());
        assertEquals(Optional.of("/app/lib"), b.directory());
        assertEquals(List.of("/app/lib/liba.so", "/glibc/lib/libc.so.6", "/app/lib/libb.so", LD), order(trace));
    }

    @Test
    void runpath_ofTheProgram_isNotInherited() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/app/lib:/glibc/lib").needs("liba.so", "libc.so.6").build())
                .add("/app/lib/liba.so", library("liba.so").needs("libb.so").build())
                .add("/app/lib/libb.so", library("libb.so").build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(How.NOT_FOUND, resolution(trace, "liba.so", "libb.so").how());
        assertEquals(How.RUNPATH, resolution(trace, "prog", "liba.so").how());
    }

    @Test
    void rpath_ofARequesterWithRunpath_isIgnored() throws IOException {
        fs.add("/app/bin/prog", program(LD).rpath("/app/lib").runpath("/glibc/lib").needs("liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").build());
        assertEquals(How.NOT_FOUND, resolution(load("/app/bin/prog"), "prog", "liba.so").how());
    }

    @Test
    void soname_ofAnObjectLoadedByPath_matchesALaterPlainName() throws IOException {
        fs.add("/app/bin/prog", program(LD).needs("/app/lib/libfoo.so.1", "liba.so").rpath("/app/lib").build())
                .add("/app/lib/libfoo.so.1", library("libfoo.so.1").build())
                .add("/app/lib/liba.so", library("liba.so").needs("libfoo.so.1").build());
        LoadTrace trace = load("/app/bin/prog");
        Resolution foo = resolution(trace, "liba.so", "libfoo.so.1");
        assertEquals(How.ALREADY_LOADED, foo.how());
        assertEquals(Optional.of("/app/lib/libfoo.so.1"), foo.target());
    }

    @Test
    void origin_inANeededPath_isExpanded() throws IOException {
        fs.add("/app/bin/prog", program(LD).needs("$ORIGIN/../lib/liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").build());
        Resolution a = resolution(load("/app/bin/prog"), "prog", "$ORIGIN/../lib/liba.so");
        assertEquals(How.PATH, a.how());
        assertEquals(Optional.of("/app/bin/../lib/liba.so"), a.openedAs());
        assertEquals(Optional.of("/app/lib/liba.so"), a.target());
    }

    @Test
    void origin_ofTheProgram_isItsCanonicalDirectory() throws IOException {
        fs.add("/real/bin/prog", program(LD).runpath("$ORIGIN/../lib").needs("liba.so").build())
                .link("/links/prog", "/real/bin/prog")
                .add("/real/lib/liba.so", library("liba.so").build());
        // glibc does not normalise: the directory string shows the origin it started from.
        assertEquals(Optional.of("/real/bin/../lib"), resolution(load("/links/prog"), "prog", "liba.so").directory());
    }

    @Test
    void lib_andPlatform_inRunpath_areExpanded() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/app/$LIB:/app/${PLATFORM}").needs("liba.so", "libb.so").build())
                .add("/app/lib64/liba.so", library("liba.so").build())
                .add("/app/x86_64/libb.so", library("libb.so").build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(Optional.of("/app/lib64"), resolution(trace, "prog", "liba.so").directory());
        assertEquals(Optional.of("/app/x86_64"), resolution(trace, "prog", "libb.so").directory());
    }

    @Test
    void missingHwcapsDirectory_isProbedOnceAndShared() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/app/lib").needs("liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").runpath("/app/lib/").needs("libb.so").build())
                .add("/app/lib/libb.so", library("libb.so").build());
        LoadTrace trace = load("/app/bin/prog");
        // liba: open and stat of the hwcaps directory fail; libb (from liba's "/app/lib/", the same
        // directory) skips the missing one and opens directly.
        assertEquals(List.of("/app/lib/glibc-hwcaps/x86-64-v2/liba.so", "/app/lib/glibc-hwcaps/x86-64-v2"),
                trace.failedLookups());
    }

    @Test
    void hwcapsSubdirectory_present_isPreferred() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/app/lib").needs("liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").build())
                .add("/app/lib/glibc-hwcaps/x86-64-v2/liba.so", library("liba.so").build());
        Resolution a = resolution(load("/app/bin/prog"), "prog", "liba.so");
        assertEquals(Optional.of("/app/lib/glibc-hwcaps/x86-64-v2"), a.directory());
        assertEquals(List.of(), load("/app/bin/prog").failedLookups());
    }

    @Test
    void missingDirectory_costsAnOpenAndAStatPerSubdirectory_once() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/gone:/app/lib").needs("liba.so", "libb.so").build())
                .add("/app/lib/liba.so", library("liba.so").build())
                .add("/app/lib/libb.so", library("libb.so").build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(List.of("/gone/glibc-hwcaps/x86-64-v2/liba.so", "/gone/glibc-hwcaps/x86-64-v2",
                "/gone/liba.so", "/gone", "/app/lib/glibc-hwcaps/x86-64-v2/liba.so", "/app/lib/glibc-hwcaps/x86-64-v2"),
                trace.failedLookups());
    }

    @Test
    void loaderSoname_resolvesToTheRunningLoader_atItsBreadthFirstPlace() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/glibc/lib:/app/lib").needs("libc.so.6", "liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(How.LOADER, resolution(trace, "libc.so.6", "ld-linux-x86-64.so.2").how());
        assertEquals(List.of("/glibc/lib/libc.so.6", "/app/lib/liba.so", LD), order(trace));
    }

    @Test
    void defaultDirectories_afterTheMissingCache_eachMissingOneStatted() throws IOException {
        fs.add("/app/bin/prog", program(LD).needs("libz.so.1").build())
                .add("/usr/lib/libz.so.1", library("libz.so.1").build());
        LoadTrace trace = load("/app/bin/prog");
        Resolution z = resolution(trace, "prog", "libz.so.1");
        assertEquals(How.DEFAULT, z.how());
        assertEquals(List.of("/nonexistent/ld.so.cache", "/lib/glibc-hwcaps/x86-64-v2/libz.so.1",
                "/lib/glibc-hwcaps/x86-64-v2", "/lib/libz.so.1", "/lib", "/usr/lib/glibc-hwcaps/x86-64-v2/libz.so.1",
                "/usr/lib/glibc-hwcaps/x86-64-v2"), trace.failedLookups());
    }

    @Test
    void noDefaultLib_skipsDefaultDirectories() throws IOException {
        fs.add("/app/bin/prog", program(LD).noDefaultLib().needs("libz.so.1").build())
                .add("/usr/lib/libz.so.1", library("libz.so.1").build());
        assertEquals(How.NOT_FOUND, resolution(load("/app/bin/prog"), "prog", "libz.so.1").how());
    }

    @Test
    void wrongClass_isSkippedWithoutAFailedLookup() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/lib32:/app/lib").needs("liba.so").build())
                .add("/lib32/liba.so", library("liba.so").elf32().build())
                .add("/app/lib/liba.so", library("liba.so").build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(Optional.of("/app/lib/liba.so"), resolution(trace, "prog", "liba.so").target());
        assertEquals(List.of("/lib32/glibc-hwcaps/x86-64-v2/liba.so", "/lib32/glibc-hwcaps/x86-64-v2",
                "/app/lib/glibc-hwcaps/x86-64-v2/liba.so", "/app/lib/glibc-hwcaps/x86-64-v2"), trace.failedLookups());
    }

    @Test
    void sameFileByTwoNames_isLoadedOnce() throws IOException {
        fs.add("/app/lib/liba.so.1.0", library("liba.so.1").build())
                .link("/app/lib/liba.so.1", "/app/lib/liba.so.1.0")
                .add("/app/bin/prog", program(LD).runpath("/app/lib").needs("liba.so.1", "/app/lib/liba.so.1.0").build());
        LoadTrace trace = load("/app/bin/prog");
        assertEquals(List.of("/app/lib/liba.so.1", LD), order(trace));
    }

    @Test
    void substitute_predictsTheLoaderAfterARewrite() throws IOException {
        fs.add("/app/bin/prog", program(LD).runpath("/app/lib").needs("liba.so").build())
                .add("/app/lib/liba.so", library("liba.so").build());
        LoadTrace rewritten = new GlibcLoader(CONFIG, fs).load("/app/bin/prog", Map.of("/app/bin/prog",
                program(LD).needs("$ORIGIN/../lib/liba.so", "liba.so").build()));
        assertEquals(List.of(), rewritten.failedLookups());
        assertEquals(How.ALREADY_LOADED, resolution(rewritten, "prog", "liba.so").how());
    }

    @Test
    void searchSubdirs_debian12_areWhatItsLoaderTries() {
        assertEquals(List.of("glibc-hwcaps/x86-64-v4/", "glibc-hwcaps/x86-64-v3/", "glibc-hwcaps/x86-64-v2/",
                "tls/x86_64/x86_64/", "tls/x86_64/", "tls/x86_64/", "tls/", "x86_64/x86_64/", "x86_64/", "x86_64/", ""),
                GlibcConfig.debian12().searchSubdirs());
    }

    @Test
    void fromDiagnostics_readsWhatTheLoaderPrints() throws IOException {
        String output = """
                dl_dst_lib="lib/x86_64-linux-gnu"
                dl_hwcap=0x2
                dl_hwcap_important=0x6
                dl_hwcaps_subdirs="x86-64-v4:x86-64-v3:x86-64-v2"
                dl_hwcaps_subdirs_active=0x6
                dl_platform="haswell"
                path.sysconfdir="/etc"
                path.system_dirs[0x0]="/lib/x86_64-linux-gnu/"
                path.system_dirs[0x1]="/usr/lib/"
                """;
        GlibcConfig config = GlibcConfig.fromDiagnostics(output, CONFIG);
        assertEquals(List.of("/lib/x86_64-linux-gnu/", "/usr/lib/"), config.systemDirs());
        assertEquals(List.of("x86-64-v3", "x86-64-v2"), config.hwcapsSubdirs());
        assertEquals(List.of("x86_64", "haswell"), config.legacyHwcaps());
        assertEquals("lib/x86_64-linux-gnu", config.lib());
        assertEquals("/etc/ld.so.cache", config.cacheFile());
    }
}
