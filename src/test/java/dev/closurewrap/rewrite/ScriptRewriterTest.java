package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScriptRewriterTest {
    private static final String S = "/nix/store/";
    private static final String BASH = "zyknc3ypa2xydl2l8q91gkn2186rdcms-bash";
    private static final String DASH = "rzd82kw9j1ysdhsjfvdbwrdxr851c16c-dash";
    private static final String FILE = "hw3jd6b4dhxsp4z4vzr2j1skikp4qp09-file";
    private static final String MAGIC = "077cgw59p21833xqpl2qv75amlh3gl52-libmagic";
    private static final String XZ = "aylc9jn4nywbm53dz7ki75gh7g1llylq-xz";
    private static final String PERL = "5ll6bn0rqr4p8kcq3v5s1bw8wck8dvns-perl";
    private static final String PYTHON = "9jqzw0y4a2c3rkfrjmqy5sgfsbl9sqn1-python3";
    private static final String OTHER = "0000000000000000000000000000000a-other";

    private static final ScriptRewriter REWRITER = new ScriptRewriter(ByteString.utf8("/nix/store"),
            Set.of(BASH, DASH, FILE, MAGIC, XZ, PERL, PYTHON).stream().map(ByteString::utf8)
                    .collect(java.util.stream.Collectors.toSet()));

    /** The wrapper nixpkgs' makeWrapper writes, as in the test closure's file package. */
    static final String WRAPPER = "#! " + S + BASH + "/bin/bash -e\n"
            + "export MAGIC='" + S + MAGIC + "/share/misc/magic.mgc'\n"
            + "PATH=${PATH:+':'$PATH':'}\n"
            + "PATH=${PATH/':''" + S + XZ + "/bin'':'/':'}\n"
            + "PATH='" + S + XZ + "/bin'$PATH\n"
            + "PATH=${PATH#':'}\n"
            + "PATH=${PATH%':'}\n"
            + "export PATH\n"
            + "exec -a \"$0\" \"" + S + FILE + "/bin/.file-wrapped\"  \"$@\" \n";

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ScriptRewriter.Result relocate(String script) throws UnsupportedInputException {
        return REWRITER.relocate(ByteString.utf8(FILE + "/bin/file"), bytes(script)).orElseThrow();
    }

    private static String text(ScriptRewriter.Result result) {
        return new String(result.content(), StandardCharsets.UTF_8);
    }

    /** What follows the prelude: the original body, rewritten. */
    private static String body(ScriptRewriter.Result result) {
        String text = text(result);
        String marker = "_cw_s=$(cd -P -- \"$_cw_s\" && pwd -P) || exit 127\n";
        return text.substring(text.indexOf(marker) + marker.length());
    }

    @Test
    void relocate_makeWrapperWrapper_everyStorePathNamesTheBundle() throws UnsupportedInputException {
        ScriptRewriter.Result result = relocate(WRAPPER);
        assertEquals("export MAGIC=''\"${_cw_s}\"'/" + MAGIC + "/share/misc/magic.mgc'\n"
                + "PATH=${PATH:+':'$PATH':'}\n"
                + "PATH=${PATH/':'''\"${_cw_s}\"'/" + XZ + "/bin'':'/':'}\n"
                + "PATH=''\"${_cw_s}\"'/" + XZ + "/bin'$PATH\n"
                + "PATH=${PATH#':'}\n"
                + "PATH=${PATH%':'}\n"
                + "export PATH\n"
                + "_cw_argv0_for=\"${_cw_s}/" + FILE + "/bin/.file-wrapped\" _cw_argv0=\"$0\" "
                + "exec -a \"$0\" \"${_cw_s}/" + FILE + "/bin/.file-wrapped\"  \"$@\" \n", body(result));
        assertEquals(Optional.of(ScriptRewriter.Language.SH), result.language());
        assertEquals(4, result.referencesRewritten());
        assertEquals(List.of(), result.referencesLeft());
    }

    @Test
    void handArgv0ToShims_onlyExecDashAWithSimpleNameAndBundlePath() {
        String handled = new String(ScriptRewriter.handArgv0ToShims(bytes(
                "  exec -a 'name' \"${_cw_s}/x/bin/y\" \"$@\"\n"
                        + "exec -a \"$1\" \"${_cw_s}/x/bin/y\"\n"
                        + "exec -a \"$0\" /bin/y\n"
                        + "echo exec -a \"$0\" \"${_cw_s}/x\"\n")), StandardCharsets.UTF_8);
        assertEquals("  _cw_argv0_for=\"${_cw_s}/x/bin/y\" _cw_argv0='name' exec -a 'name' \"${_cw_s}/x/bin/y\" \"$@\"\n"
                + "exec -a \"$1\" \"${_cw_s}/x/bin/y\"\n"
                + "exec -a \"$0\" /bin/y\n"
                + "echo exec -a \"$0\" \"${_cw_s}/x\"\n", handled);
    }

    @Test
    void relocate_shScript_preludeExecsBundledInterpreterWithShebangArgument() throws UnsupportedInputException {
        String text = text(relocate(WRAPPER));
        assertTrue(text.startsWith("#!/bin/sh\n"), text);
        assertTrue(text.contains("  exec \"$_cw_s/" + BASH + "/bin/bash\" '-e' \"$0\" \"$@\"\n"), text);
        assertTrue(text.contains("if [ \"$_cw_s/" + FILE + "/bin/file\" -ef \"$_cw_p\" ]; then break 2; fi\n"), text);
    }

    @Test
    void relocate_unquotedStorePath_getsQuotedVariable() throws UnsupportedInputException {
        ScriptRewriter.Result result = relocate("#!" + S + DASH + "/bin/dash\nset -e\n" + S + XZ + "/bin/xz --version | head -n 1\n");
        assertEquals("set -e\n\"${_cw_s}\"/" + XZ + "/bin/xz --version | head -n 1\n", body(result));
    }

    @Test
    void relocate_referenceOutsideTheBundle_leftAndReported() throws UnsupportedInputException {
        ScriptRewriter.Result result = relocate("#!" + S + DASH + "/bin/dash\n" + S + OTHER + "/bin/x\n" + S + XZ + "/bin/xz\n");
        assertEquals(S + OTHER + "/bin/x\n\"${_cw_s}\"/" + XZ + "/bin/xz\n", body(result));
        assertEquals(1, result.referencesLeft().size());
        assertEquals(ByteString.utf8(S + OTHER), result.referencesLeft().get(0).path());
    }

    @Test
    void relocate_referenceInHereDocument_bodyLeftAloneAndReported() throws UnsupportedInputException {
        String body = "cat <<EOF\n" + S + XZ + "/bin\nEOF\nexec \"" + S + FILE + "/bin/.file-wrapped\"\n";
        ScriptRewriter.Result result = relocate("#!" + S + BASH + "/bin/bash\n" + body);
        assertEquals(body, body(result));
        assertEquals(0, result.referencesRewritten());
        assertEquals(2, result.referencesLeft().size());
    }

    @Test
    void relocate_bodyOverSizeLimit_leftAlone() throws UnsupportedInputException {
        String body = "# " + "x".repeat(ScriptRewriter.MAX_BODY_REWRITE) + "\nexec " + S + XZ + "/bin/xz\n";
        assertEquals(body, body(relocate("#!" + S + BASH + "/bin/bash\n" + body)));
    }

    @Test
    void relocate_perl_preludeSkippedByDashX() throws UnsupportedInputException {
        String text = text(relocate("#!" + S + PERL + "/bin/perl -w\nprint \"$0\\n\";\n"));
        assertTrue(text.contains("exec \"$_cw_s/" + PERL + "/bin/perl\" '-w' -x \"$0\" \"$@\"\nexit 127\n#!perl\nprint \"$0\\n\";\n"),
                text);
        assertFalse(text.contains(S), text);
    }

    @Test
    void relocate_python_preludeIsAStringToPython() throws UnsupportedInputException {
        String text = text(relocate("#!" + S + PYTHON + "/bin/python3.11 -u\nimport sys\n"));
        assertTrue(text.startsWith("#!/bin/sh\n\"\"\"true\"\n"), text);
        assertTrue(text.endsWith("exec \"$_cw_s/" + PYTHON + "/bin/python3.11\" '-u' \"$0\" \"$@\"\nexit 127\n\"\"\"\nimport sys\n"), text);
    }

    @Test
    void relocate_pythonWithDocstringAndFutureImport_refused() {
        assertThrows(UnsupportedInputException.class, () -> relocate("#!" + S + PYTHON + "/bin/python3\n"
                + "# comment\n\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n"));
    }

    @Test
    void relocate_pythonWithLatin1CodingLine_refused() {
        assertThrows(UnsupportedInputException.class,
                () -> relocate("#!" + S + PYTHON + "/bin/python3\n# -*- coding: latin-1 -*-\nx = 1\n"));
    }

    @Test
    void relocate_pythonWithUtf8CodingLine_accepted() throws UnsupportedInputException {
        relocate("#!" + S + PYTHON + "/bin/python3\n# -*- coding: utf-8 -*-\nx = 1\n");
    }

    @Test
    void relocate_unknownInterpreterLanguage_refused() {
        UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                () -> relocate("#!" + S + XZ + "/bin/awk -f\nBEGIN {}\n"));
        assertTrue(e.getMessage().contains("awk"), e.getMessage());
    }

    @Test
    void relocate_interpreterNotInBundle_refused() {
        assertThrows(UnsupportedInputException.class, () -> relocate("#!" + S + OTHER + "/bin/sh\n"));
    }

    @Test
    void relocate_hostInterpreterOrNoShebang_notForThisRewrite() throws UnsupportedInputException {
        ByteString self = ByteString.utf8(FILE + "/bin/x");
        assertEquals(Optional.empty(), REWRITER.relocate(self, bytes("#!/bin/sh\nexec " + S + XZ + "/bin/xz\n")));
        assertEquals(Optional.empty(), REWRITER.relocate(self, bytes("data " + S + XZ + "\n")));
    }

    @Test
    void prefix_everyBundledReferenceIncludingShebang_namesNewStore() throws UnsupportedInputException {
        ScriptRewriter.Result result = REWRITER.prefix(ByteString.utf8("file"), bytes(WRAPPER), ByteString.utf8("/opt/app/store"))
                .orElseThrow();
        assertEquals(WRAPPER.replace(S, "/opt/app/store/"), text(result));
        assertEquals(5, result.referencesRewritten());
        assertEquals(List.of(), result.referencesLeft());
    }

    @Test
    void prefix_shorterAndLongerPrefix_bothFineInText() throws UnsupportedInputException {
        for (String prefix : List.of("/s", "/a/very/long/prefix/that/is/longer/than/the/nix/store")) {
            ScriptRewriter.Result result = REWRITER.prefix(ByteString.utf8("file"), bytes(WRAPPER), ByteString.utf8(prefix)).orElseThrow();
            assertEquals(WRAPPER.replace(S, prefix + "/"), text(result));
        }
    }

    @Test
    void prefix_shebangLineOverKernelLimit_refused() {
        String prefix = "/" + "p".repeat(250);
        assertThrows(UnsupportedInputException.class,
                () -> REWRITER.prefix(ByteString.utf8("file"), bytes(WRAPPER), ByteString.utf8(prefix)));
    }

    @Test
    void prefix_prefixWithShellSpecialBytes_refused() {
        for (String prefix : List.of("/opt/my app", "/opt/$x", "relative/store", "/opt/'q'")) {
            assertThrows(UnsupportedInputException.class,
                    () -> REWRITER.prefix(ByteString.utf8("file"), bytes(WRAPPER), ByteString.utf8(prefix)), prefix);
        }
    }

    @Test
    void prefix_binaryFile_refused() {
        byte[] elfLike = bytes("\u007fELF\0\0" + S + XZ + "/lib\0");
        assertThrows(UnsupportedInputException.class,
                () -> REWRITER.prefix(ByteString.utf8("libx.so"), elfLike, ByteString.utf8("/opt/app/store")));
    }

    @Test
    void prefix_configFileNamingStorePath_rewritten() throws UnsupportedInputException {
        String conf = "greeting-library = " + S + XZ + "/lib/liblzma.so.5\n";
        ScriptRewriter.Result result = REWRITER.prefix(ByteString.utf8("app.conf"), bytes(conf), ByteString.utf8("/opt/s")).orElseThrow();
        assertEquals("greeting-library = /opt/s/" + XZ + "/lib/liblzma.so.5\n", text(result));
        assertEquals(Optional.empty(), result.language());
    }

    @Test
    void prefix_noBundledReference_empty() throws UnsupportedInputException {
        assertEquals(Optional.empty(), REWRITER.prefix(ByteString.utf8("x"), bytes("#!/bin/sh\n" + S + OTHER + "\n"),
                ByteString.utf8("/opt")));
    }
}
