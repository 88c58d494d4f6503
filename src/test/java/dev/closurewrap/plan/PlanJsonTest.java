package dev.closurewrap.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PlanJsonTest {
    private static ByteString bs(String s) {
        return ByteString.utf8(s);
    }

    private static Action.EditElf edit(String needed) {
        return new Action.EditElf(List.of(new ElfEdit.SetNeeded(List.of(bs(needed), bs("libz.so.1"))),
                new ElfEdit.SetSearchPath(bs("$ORIGIN/../lib"), SearchPathTag.RUNPATH)));
    }

    @Test
    void editPlan_serialisesEveryFieldInAFixedOrder() {
        FilePlan plan = new FilePlan(bs("store/abc-curl/bin/.curl-real"), Optional.of(Path.of("/nix/store/abc-curl/bin/curl")),
                Optional.of("00".repeat(32)), 10, true, edit("$ORIGIN/../lib/libz.so.1"));
        assertEquals("{\"target\":\"store/abc-curl/bin/.curl-real\",\"source\":\"/nix/store/abc-curl/bin/curl\","
                + "\"inputSha256\":\"" + "00".repeat(32) + "\",\"executable\":true,\"action\":{\"kind\":\"edit-elf\","
                + "\"edits\":[{\"edit\":\"set-needed\",\"names\":[\"$ORIGIN/../lib/libz.so.1\",\"libz.so.1\"]},"
                + "{\"edit\":\"set-search-path\",\"tag\":\"runpath\",\"path\":\"$ORIGIN/../lib\"}]}}",
                PlanJson.compact(PlanJson.toJson(plan)));
    }

    @Test
    void planHash_coversTheActionOnly_soEqualWorkInAnotherPlaceHashesAlike() {
        FilePlan here = new FilePlan(bs("store/a/lib/x.so"), Optional.of(Path.of("/s/a/lib/x.so")), Optional.of("00".repeat(32)),
                1, false, edit("$ORIGIN/libz.so.1"));
        FilePlan there = new FilePlan(bs("store/b/lib/y.so"), Optional.of(Path.of("/s/b/lib/y.so")), Optional.of("11".repeat(32)),
                2, true, edit("$ORIGIN/libz.so.1"));
        FilePlan other = new FilePlan(bs("store/a/lib/x.so"), Optional.of(Path.of("/s/a/lib/x.so")), Optional.of("00".repeat(32)),
                1, false, edit("$ORIGIN/../libz.so.1"));
        assertEquals(here.planSha256(), there.planSha256());
        assertNotEquals(here.planSha256(), other.planSha256());
        assertEquals(64, here.planSha256().length());
    }

    @Test
    void launcher_intoTheHostTree_saysSo_whileAStoreLauncherKeepsItsJson() {
        Action.Loader loader = new Action.Loader(bs("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), LoaderFamily.GLIBC, true);
        Action.Launcher store = new Action.Launcher(bs("curl"), bs("usr/bin/curl"), bs("usr/bin/.curl-real"),
                Optional.of(loader), List.of());
        Action.Launcher host = new Action.Launcher(bs("curl"), bs("usr/bin/curl"), bs("usr/bin/.curl-real"),
                Optional.of(loader), List.of(), Tree.HOST);
        assertEquals(Tree.STORE, store.tree());
        assertFalse(PlanJson.compact(PlanJson.toJson(store)).contains("tree"));
        assertTrue(PlanJson.compact(PlanJson.toJson(host)).endsWith(",\"tree\":\"host\"}"),
                PlanJson.compact(PlanJson.toJson(host)));
        assertNotEquals(PlanJson.actionHash(store), PlanJson.actionHash(host));
    }

    @Test
    void loaderFamily_isWrittenInLowerCase_soPlanHashesStayAsBefore() {
        Action.Loader musl = new Action.Loader(bs("h-musl/lib/libc.so"), LoaderFamily.MUSL, true);
        Action.ExecShim shim = new Action.ExecShim(bs("h-x/bin/x"), bs("h-x/bin/.x-real"), musl, List.of());
        assertTrue(PlanJson.compact(PlanJson.toJson(shim)).contains("\"family\":\"musl\""),
                PlanJson.compact(PlanJson.toJson(shim)));
        assertThrows(IllegalArgumentException.class,
                () -> new Action.Loader(bs("h-x/lib/ld.so"), LoaderFamily.UNKNOWN, false));
    }

    @Test
    void nonUtf8Bytes_becomeBase64() {
        ByteString latin1 = ByteString.of(new byte[] {'l', 'i', 'b', (byte) 0xe9, '.', 's', 'o'});
        assertEquals("{\"base64\":\"bGli6S5zbw==\"}", PlanJson.compact(PlanJson.bytes(latin1)));
        assertEquals("\"libz.so\"", PlanJson.compact(PlanJson.bytes(bs("libz.so"))));
    }

    @Test
    void scriptPlans_listTheBundledNamesSorted() {
        TreeSet<ByteString> names = new TreeSet<>(List.of(bs("zz-bash"), bs("aa-xz")));
        Action.RelocateScript script = new Action.RelocateScript(bs("h-file/bin/file"), bs("/nix/store"), names);
        assertEquals("{\"kind\":\"relocate-script\",\"scriptInStore\":\"h-file/bin/file\",\"storeDir\":\"/nix/store\","
                + "\"bundled\":[\"aa-xz\",\"zz-bash\"]}", PlanJson.compact(PlanJson.toJson(script)));
    }

    @Test
    void filePlan_withoutInput_cannotNameOne_andAnEditNeedsEdits() {
        assertThrows(IllegalArgumentException.class, () -> new FilePlan(bs("bin/curl"), Optional.of(Path.of("/x")),
                Optional.of("00".repeat(32)), 0, true, new Action.Symlink(bs("x"))));
        assertThrows(IllegalArgumentException.class, () -> new FilePlan(bs("store/x"), Optional.empty(), Optional.empty(),
                0, true, new Action.Copy("why")));
        assertThrows(IllegalArgumentException.class, () -> new Action.EditElf(List.of()));
    }
}
