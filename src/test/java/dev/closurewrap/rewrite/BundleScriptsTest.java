package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BundleScriptsTest {
    private static final String GLIBC = "wrly0iv4bpa3mifkghxrvmjnvrn58li1-glibc";
    private static final String CURL = "mwzcjvcrcg0z8s6gg073shbxz8vdfhak-curl";
    private static final String APP = "j2xpvm9q1igwhhkmf7axjflcc3qhzczk-app";
    private static final BundledLoader LOADER = new BundledLoader(u(GLIBC + "/lib/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC);

    private static ByteString u(String text) {
        return ByteString.utf8(text);
    }

    private static String text(byte[] script) {
        return new String(script, StandardCharsets.UTF_8);
    }

    @Test
    void execShim_execsLoaderOnRealFileWithArgv0OfTheShim() {
        String shim = text(BundleScripts.execShim(new ExecShimPlan(u(CURL + "/bin/curl"), u(CURL + "/bin/.curl-real"),
                LOADER, List.of())));
        assertTrue(shim.startsWith("#!/bin/sh\n"), shim);
        assertTrue(shim.contains("_cw_a=$0\nif [ \"${_cw_argv0_for-}\" = \"$0\" ]; then _cw_a=${_cw_argv0-$0}; fi\n"
                + "unset _cw_argv0_for _cw_argv0\n"), shim);
        assertTrue(shim.endsWith("exec \"$_cw_s/" + GLIBC + "/lib/ld-linux-x86-64.so.2\" --argv0 \"$_cw_a\" \"$_cw_s/"
                + CURL + "/bin/.curl-real\" \"$@\"\n"), shim);
        assertTrue(shim.contains("if [ \"$_cw_s/" + CURL + "/bin/curl\" -ef \"$_cw_p\" ]; then break 2; fi\n"), shim);
    }

    @Test
    void execShimAndLauncher_loaderWithoutArgv0Option_runRealFileWithoutIt() {
        BundledLoader old = new BundledLoader(u(GLIBC + "/lib/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC, false);
        String shim = text(BundleScripts.execShim(new ExecShimPlan(u(CURL + "/bin/curl"), u(CURL + "/bin/.curl-real"),
                old, List.of())));
        String launcher = text(BundleScripts.launcher(new LauncherPlan(u("curl"), u(APP + "/bin/curl"),
                u(CURL + "/bin/.curl-real"), Optional.of(old), List.of())));
        for (String script : List.of(shim, launcher)) {
            assertFalse(script.contains("--argv0"), script);
            assertTrue(script.endsWith("/lib/ld-linux-x86-64.so.2\" \"$_cw_s/" + CURL + "/bin/.curl-real\" \"$@\"\n"), script);
        }
    }

    @Test
    void launcher_intoTheHostTree_findsItBesideBin() {
        BundledLoader hostLoader = new BundledLoader(u("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC);
        String launcher = text(BundleScripts.launcher(new LauncherPlan(u("curl"), u("usr/bin/curl"),
                u("usr/bin/.curl-real"), Optional.of(hostLoader), List.of(), dev.closurewrap.plan.Tree.HOST)));
        assertTrue(launcher.contains("\n_cw_s=$_cw_b/host\n"), launcher);
        assertTrue(launcher.endsWith("exec \"$_cw_s/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\" --argv0 "
                + "\"$_cw_s/usr/bin/curl\" \"$_cw_s/usr/bin/.curl-real\" \"$@\"\n"), launcher);
    }

    @Test
    void execShim_libraryPath_joinedWithColons() {
        String shim = text(BundleScripts.execShim(new ExecShimPlan(u(CURL + "/bin/curl"), u(CURL + "/bin/.curl-real"),
                LOADER, List.of(u(GLIBC + "/lib"), u(CURL + "/lib")))));
        assertTrue(shim.contains(" --library-path \"$_cw_s/" + GLIBC + "/lib\":\"$_cw_s/" + CURL + "/lib\" --argv0 "), shim);
    }

    @Test
    void execShim_onlyBuiltinsOutsideTheSymlinkFallback() {
        String shim = text(BundleScripts.execShim(new ExecShimPlan(u(CURL + "/bin/curl"), u(CURL + "/bin/.curl-real"),
                LOADER, List.of())));
        for (String command : List.of("dirname", "basename", "realpath", "sed", "awk", "ls ")) {
            assertFalse(shim.contains(command), command + " in\n" + shim);
        }
        // readlink appears once, guarded by the symlink test that runs only after the builtin search failed.
        assertEquals(1, shim.split("readlink", -1).length - 1);
        assertTrue(shim.contains("[ -L \"$_cw_p\" ] && _cw_l=$(readlink -- \"$_cw_p\")"), shim);
    }

    @Test
    void execShim_oddBytesInNames_singleQuoted() {
        String odd = CURL + "/bin/it's $HOME";
        String shim = text(BundleScripts.execShim(new ExecShimPlan(u(odd), u(CURL + "/bin/.it's $HOME-real"), LOADER, List.of())));
        assertTrue(shim.contains("\"$_cw_s/\"'" + CURL + "/bin/.it'\\''s $HOME-real'"), shim);
        assertTrue(shim.contains("holds " + CURL + "/bin/it's \\$HOME from $0"), shim);
    }

    @Test
    void execShimPlan_realFileInAnotherDirectory_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new ExecShimPlan(u(CURL + "/bin/curl"),
                u(CURL + "/libexec/.curl-real"), LOADER, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ExecShimPlan(u(CURL + "/bin/curl"),
                u(CURL + "/bin/curl"), LOADER, List.of()));
    }

    @Test
    void plans_pathsNotNormalInsideTheStore_rejected() {
        for (String bad : List.of("/abs/x", CURL + "/../x", CURL + "//x", CURL + "/./x", "", CURL + "/")) {
            assertThrows(IllegalArgumentException.class, () -> new BundledLoader(u(bad), LoaderFamily.GLIBC), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new ExecShimPlan(u(CURL + "/bin/curl"),
                u(CURL + "/bin/.curl-real"), LOADER, List.of(u(CURL + "/a:b"))));
        assertThrows(IllegalArgumentException.class, () -> new BundledLoader(u(GLIBC + "/lib/ld.so"), LoaderFamily.NONE));
    }

    @Test
    void launcher_throughLoader_argv0IsTheRootsBinEntryInTheBundle() {
        String launcher = text(BundleScripts.launcher(new LauncherPlan(u("curl"), u(APP + "/bin/curl"),
                u(CURL + "/bin/.curl-real"), Optional.of(LOADER), List.of())));
        assertTrue(launcher.contains("if [ \"$_cw_b/bin/curl\" -ef \"$_cw_p\" ]; then break 2; fi\n"), launcher);
        assertTrue(launcher.contains("_cw_b=$(cd -P -- \"$_cw_b\" && pwd -P) || exit 127\n_cw_s=$_cw_b/store\n"), launcher);
        assertTrue(launcher.endsWith("exec \"$_cw_s/" + GLIBC + "/lib/ld-linux-x86-64.so.2\" --argv0 \"$_cw_s/" + APP
                + "/bin/curl\" \"$_cw_s/" + CURL + "/bin/.curl-real\" \"$@\"\n"), launcher);
    }

    @Test
    void launcher_scriptOrStaticProgram_execedDirectly() {
        String launcher = text(BundleScripts.launcher(new LauncherPlan(u("app-info"), u(APP + "/bin/app-info"),
                u(APP + "/bin/app-info"), Optional.empty(), List.of())));
        assertTrue(launcher.endsWith("\nexec \"$_cw_s/" + APP + "/bin/app-info\" \"$@\"\n"), launcher);
        assertFalse(launcher.contains("--argv0"), launcher);
    }

    @Test
    void launcherPlan_nameWithSlashOrLibraryPathWithoutLoader_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new LauncherPlan(u("a/b"), u(APP + "/bin/x"), u(APP + "/bin/x"),
                Optional.empty(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LauncherPlan(u(".."), u(APP + "/bin/x"), u(APP + "/bin/x"),
                Optional.empty(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LauncherPlan(u("x"), u(APP + "/bin/x"), u(APP + "/bin/x"),
                Optional.empty(), List.of(u(GLIBC + "/lib"))));
    }

    @Test
    void realFileName_hiddenBesideTheProgram() {
        assertEquals(u(".curl-real"), BundleScripts.realFileName(u("curl"), Set.of(u("curl"))));
        assertEquals(u("..file-wrapped-real"), BundleScripts.realFileName(u(".file-wrapped"), Set.of()));
    }

    @Test
    void realFileName_takenName_numbered() {
        assertEquals(u(".curl-real-3"), BundleScripts.realFileName(u("curl"), Set.of(u(".curl-real"), u(".curl-real-2"))));
    }

    @Test
    void realFileName_tooLongForAFileName_numberedFallback() {
        ByteString longName = u("n".repeat(250));
        assertEquals(u(".closure-wrap-real-1"), BundleScripts.realFileName(longName, Set.of()));
        assertEquals(u(".closure-wrap-real-2"), BundleScripts.realFileName(longName, Set.of(u(".closure-wrap-real-1"))));
    }
}
