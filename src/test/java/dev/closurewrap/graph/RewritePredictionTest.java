package dev.closurewrap.graph;

import static dev.closurewrap.graph.FakeFileSystem.library;
import static dev.closurewrap.graph.FakeFileSystem.program;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RewritePredictionTest {
    private static final String LD = "/s/glibc/lib/ld-linux-x86-64.so.2";
    private static final GlibcConfig CONFIG = new GlibcConfig(List.of("/lib/"), "lib64", "x86_64",
            List.of("x86-64-v2"), List.of(), false, "/nonexistent/ld.so.cache", 0x303, Optional.empty());

    private final FakeFileSystem fs = new FakeFileSystem()
            .add(LD, library("ld-linux-x86-64.so.2").build())
            .add("/s/glibc/lib/libc.so.6", library("libc.so.6").needs("ld-linux-x86-64.so.2").build())
            .add("/s/app/bin/prog", program(LD).runpath("/s/a/lib:/s/glibc/lib").needs("liba.so.1", "libc.so.6").build())
            .add("/s/a/lib/liba.so.1", library("liba.so.1").runpath("/s/b/lib:/s/glibc/lib").needs("libb.so.1", "libc.so.6")
                    .build())
            .add("/s/b/lib/libb.so.1", library("libb.so.1").runpath("/s/glibc/lib").needs("libc.so.6").build());

    private Map<String, LoadableObject> objects() throws IOException {
        Map<String, LoadableObject> objects = new HashMap<>();
        for (String p : List.of("/s/app/bin/prog", "/s/a/lib/liba.so.1", "/s/b/lib/libb.so.1", "/s/glibc/lib/libc.so.6")) {
            objects.put(p, fs.open(p).orElseThrow().object());
        }
        return objects;
    }

    @Test
    void relative_glibc_originPathsThenNames_noLookupsLeft() throws IOException {
        GlibcLoader loader = new GlibcLoader(CONFIG, fs);
        LoadTrace now = loader.load("/s/app/bin/prog");
        Map<String, LoadableObject> after = RewritePrediction.substitute(now, objects(), "/s/app/bin/prog",
                LoaderFamily.GLIBC, RewritePrediction.Mode.RELATIVE, p -> p.startsWith("/s/"));
        assertEquals(List.of("$ORIGIN/../../a/lib/liba.so.1", "$ORIGIN/../../glibc/lib/libc.so.6", "liba.so.1",
                "libc.so.6"), after.get("/s/app/bin/prog").needed().stream().map(ByteString::utf8).toList());
        // The loader's own entry stays a soname.
        assertEquals(List.of("ld-linux-x86-64.so.2"),
                after.get("/s/glibc/lib/libc.so.6").needed().stream().map(ByteString::utf8).toList());
        LoadTrace predicted = loader.load("/s/app/bin/prog", after);
        assertEquals(List.of(), predicted.failedLookups());
        assertEquals(now.loadOrder().stream().map(LoadTrace.Loaded::canonicalPath).toList(),
                predicted.loadOrder().stream().map(LoadTrace.Loaded::canonicalPath).toList());
        assertEquals(true, now.failedLookupCount() > 0);
    }

    @Test
    void absolute_programGetsEveryLibraryInLoadOrder() throws IOException {
        GlibcLoader loader = new GlibcLoader(CONFIG, fs);
        LoadTrace now = loader.load("/s/app/bin/prog");
        Map<String, LoadableObject> after = RewritePrediction.substitute(now, objects(), "/s/app/bin/prog",
                LoaderFamily.GLIBC, RewritePrediction.Mode.ABSOLUTE, p -> p.startsWith("/s/"));
        assertEquals(List.of("/s/a/lib/liba.so.1", "/s/glibc/lib/libc.so.6", "/s/b/lib/libb.so.1"),
                after.get("/s/app/bin/prog").needed().stream().map(ByteString::utf8).toList());
        LoadTrace predicted = loader.load("/s/app/bin/prog", after);
        assertEquals(List.of(), predicted.failedLookups());
        assertEquals(now.loadOrder().stream().map(LoadTrace.Loaded::canonicalPath).toList(),
                predicted.loadOrder().stream().map(LoadTrace.Loaded::canonicalPath).toList());
    }

    @Test
    void entriesOutsideTheClosure_stayAndStillSearch() throws IOException {
        GlibcLoader loader = new GlibcLoader(CONFIG, fs);
        LoadTrace now = loader.load("/s/app/bin/prog");
        // Pretend b is outside: liba keeps searching for it.
        Map<String, LoadableObject> after = RewritePrediction.substitute(now, objects(), "/s/app/bin/prog",
                LoaderFamily.GLIBC, RewritePrediction.Mode.RELATIVE, p -> p.startsWith("/s/") && !p.startsWith("/s/b/"));
        assertEquals(List.of("$ORIGIN/../../glibc/lib/libc.so.6", "libb.so.1", "libc.so.6"),
                after.get("/s/a/lib/liba.so.1").needed().stream().map(ByteString::utf8).toList());
        assertEquals(List.of("/s/b/lib/glibc-hwcaps/x86-64-v2/libb.so.1", "/s/b/lib/glibc-hwcaps/x86-64-v2"),
                loader.load("/s/app/bin/prog", after).failedLookups());
    }

    @Test
    void relative_musl_runpathBecomesOriginDirectories() throws IOException {
        FakeFileSystem musl = new FakeFileSystem()
                .add("/s/musl/lib/libc.so", library("libc.so").musl().build())
                .add("/s/app/bin/prog", program("/s/musl/lib/libc.so").musl().runpath("/x:/s/a/lib:/s/musl/lib")
                        .needs("liba.so", "libc.so").build())
                .add("/s/a/lib/liba.so", library("liba.so").musl().build());
        MuslLoader loader = new MuslLoader(MuslConfig.x86_64(), musl);
        LoadTrace now = loader.load("/s/app/bin/prog");
        Map<String, LoadableObject> objects = Map.of("/s/app/bin/prog", musl.open("/s/app/bin/prog").orElseThrow().object());
        Map<String, LoadableObject> after = RewritePrediction.substitute(now, objects, "/s/app/bin/prog",
                LoaderFamily.MUSL, RewritePrediction.Mode.RELATIVE, p -> p.startsWith("/s/"));
        assertEquals(Optional.of(ByteString.utf8("$ORIGIN/../../a/lib")), after.get("/s/app/bin/prog").runpath());
        assertEquals(List.of("/x/liba.so"), now.failedLookups());
        assertEquals(List.of(), loader.load("/s/app/bin/prog", after).failedLookups());
    }
}
