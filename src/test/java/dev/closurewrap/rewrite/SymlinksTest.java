package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.closurewrap.io.ByteString;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SymlinksTest {
    private static final ByteString STORE = ByteString.utf8("/nix/store");
    private static final String APP = "j2xpvm9q1igwhhkmf7axjflcc3qhzczk-app";
    private static final String CURL = "mwzcjvcrcg0z8s6gg073shbxz8vdfhak-curl";

    private static Optional<String> relative(String link, String target) {
        return Symlinks.relativeTarget(STORE, ByteString.utf8(link), ByteString.utf8(target)).map(ByteString::utf8);
    }

    @Test
    void relativeTarget_buildEnvLinkToOtherStorePath_climbsToStoreDir() {
        assertEquals(Optional.of("../../" + CURL + "/bin/curl"),
                relative(APP + "/bin/curl", "/nix/store/" + CURL + "/bin/curl"));
    }

    @Test
    void relativeTarget_linkIntoOwnStorePath_sharesCommonPrefix() {
        assertEquals(Optional.of("../share/x"), relative(APP + "/bin/x", "/nix/store/" + APP + "/share/x"));
        assertEquals(Optional.of("libgreet.so.1"), relative(APP + "/lib/libgreet.so", "/nix/store/" + APP + "/lib/libgreet.so.1"));
    }

    @Test
    void relativeTarget_linkToDirectory_andToStorePathRoot() {
        assertEquals(Optional.of("../" + CURL + "/bin"), relative(APP + "/curl-bin", "/nix/store/" + CURL + "/bin/"));
        assertEquals(Optional.of("../" + CURL), relative(APP + "/curl", "/nix/store/" + CURL));
        assertEquals(Optional.of(".."), relative(APP + "/store", "/nix/store"));
        assertEquals(Optional.of("."), relative(APP + "/bin/self", "/nix/store/" + APP + "/bin"));
    }

    @Test
    void relativeTarget_storePathThatIsASymlinkItself() {
        // The whole store path is the link: it sits directly in the store directory.
        assertEquals(Optional.of(CURL + "/bin/curl"), relative(APP, "/nix/store/" + CURL + "/bin/curl"));
    }

    @Test
    void relativeTarget_dotAndEmptyComponents_dropped() {
        assertEquals(Optional.of("../../" + CURL + "/bin/curl"),
                relative(APP + "/bin/curl", "/nix//store/./" + CURL + "//bin/./curl"));
    }

    @Test
    void relativeTarget_dotDotInsideTarget_keptBecauseTheKernelResolvesItPhysically() {
        // lib might be a symlink: lexically dropping "lib/.." could change where the link leads.
        assertEquals(Optional.of("../../" + CURL + "/lib/../share"),
                relative(APP + "/bin/x", "/nix/store/" + CURL + "/lib/../share"));
        // Below the link's own directories, ".." is exact: those are real directories.
        assertEquals(Optional.of("../share"), relative(APP + "/lib/x", "/nix/store/" + APP + "/lib/../share"));
    }

    @Test
    void relativeTarget_notIntoTheStore_leftAlone() {
        assertEquals(Optional.empty(), relative(APP + "/bin/sh", "/bin/sh"));
        assertEquals(Optional.empty(), relative(APP + "/bin/x", "../lib/x"));
        assertEquals(Optional.empty(), relative(APP + "/bin/x", "/nix/storeX/" + CURL));
        assertEquals(Optional.empty(), relative(APP + "/bin/x", "/nix/store/../var/x"));
        assertEquals(Optional.empty(), relative(APP + "/bin/x", "/nix"));
    }

    @Test
    void relativeTarget_linkLocationWithDotDot_rejected() {
        assertThrows(IllegalArgumentException.class, () -> relative(APP + "/../x", "/nix/store/" + CURL));
    }

    @Test
    void relativeTarget_nonUtf8Names_keptByteForByte() {
        ByteString link = ByteString.of(new byte[] {'a', '/', (byte) 0xff, '/', 'l'});
        ByteString target = ByteString.of(new byte[] {'/', 'n', '/', 'b', '/', (byte) 0xfe});
        assertEquals(Optional.of(ByteString.of(new byte[] {'.', '.', '/', '.', '.', '/', 'b', '/', (byte) 0xfe})),
                Symlinks.relativeTarget(ByteString.utf8("/n"), link, target));
    }

    @Test
    void targetStorePath_namesTheStorePathTheLinkLeadsInto() {
        assertEquals(Optional.of(ByteString.utf8(CURL)), Symlinks.targetStorePath(STORE, ByteString.utf8("/nix/store/" + CURL + "/bin/curl")));
        assertEquals(Optional.empty(), Symlinks.targetStorePath(STORE, ByteString.utf8("/nix/store")));
        assertEquals(Optional.empty(), Symlinks.targetStorePath(STORE, ByteString.utf8("../" + CURL)));
    }

    @Test
    void prefixedTarget_replacesStoreDir_normalisedLikeRelative() {
        assertEquals(Optional.of(ByteString.utf8("/opt/app/store/" + CURL + "/bin/curl")),
                Symlinks.prefixedTarget(STORE, ByteString.utf8("/opt/app/store"),
                        ByteString.utf8("/nix/store/" + CURL + "/./bin/curl")));
        assertEquals(Optional.empty(), Symlinks.prefixedTarget(STORE, ByteString.utf8("/opt"), ByteString.utf8("/etc/x")));
    }
}
