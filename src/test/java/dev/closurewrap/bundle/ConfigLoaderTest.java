package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private ConfigLoader loader(Path system, Path user) {
        return new ConfigLoader(Optional.ofNullable(system), Optional.ofNullable(user), 7);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private BadInputException badFile(String text) throws IOException {
        Path file = write("bad.conf", text);
        return assertThrows(BadInputException.class, () -> loader(null, null).load(Optional.of(file), List.of()));
    }

    @Test
    void defaults_areTheShippedFile_withJobsAutoAsEveryCore() throws IOException {
        WrapConfig c = loader(null, null).load();
        assertEquals(Path.of("/nix/store"), c.storeDir());
        assertEquals(7, c.jobs());
        assertEquals("${output}.closure-wrap-state", c.stateDir());
        assertEquals(6, c.gzipLevel());
        assertEquals(6, c.xzLevel());
        assertEquals(3, c.zstdLevel());
        assertEquals(false, c.hardlink());
        assertEquals(true, c.syncOutput());
        assertEquals(256, c.checkpointSyncEvery());
        assertTrue(c.excluded("lib/debug/.build-id/ab/cdef.debug"));
        assertTrue(c.excluded("lib/firmware/amdgpu/x.bin"));
        assertTrue(!c.excluded("lib/libc.so.6"));
        assertTrue(c.hostLibraryDirs().contains(Path.of("/usr/lib/x86_64-linux-gnu")));
        assertEquals(Duration.ofSeconds(30), c.progressLogInterval());
    }

    @Test
    void builtInDefaults_areByteForByteTheRepositoryConfigFile() throws IOException {
        assertEquals(Files.readString(Path.of("config/closure-wrap.conf")), ConfigLoader.readDefaults());
    }

    @Test
    void shippedFile_readsTheSameWithJavaProperties_andSetsEveryKey() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(ConfigLoader.readDefaults()));
        assertEquals(new java.util.TreeSet<>(ConfigLoader.keys()), new java.util.TreeSet<>(p.stringPropertyNames()));
        String shown = loader(null, null).load().withJobs(1).toConfigText();
        assertEquals("jobs = 1", shown.lines().filter(l -> l.startsWith("jobs ")).findFirst().orElseThrow());
        for (String line : shown.lines().toList()) {
            String key = line.substring(0, line.indexOf(" = "));
            if (!key.equals("jobs")) {
                assertEquals(p.getProperty(key), line.substring(line.indexOf(" = ") + 3), key);
            }
        }
    }

    @Test
    void layers_overrideKeyByKey_inOrder() throws IOException {
        Path system = write("system", "zstd-level = 5\nxz-level = 1\ngzip-level = 1\nhardlink = true\n");
        Path user = write("user", "xz-level = 2\ngzip-level = 2\n");
        Path explicit = write("explicit", "gzip-level = 3\njobs = 4\n");
        WrapConfig c = loader(system, user).load(Optional.of(explicit), List.of(Map.entry("jobs", "9")));
        assertEquals(5, c.zstdLevel(), "system over defaults");
        assertEquals(2, c.xzLevel(), "user over system");
        assertEquals(3, c.gzipLevel(), "--config over user");
        assertEquals(9, c.jobs(), "--option over --config");
        assertEquals(true, c.hardlink(), "a key set once survives later layers");
        assertEquals(true, c.syncOutput(), "defaults fill the rest");
    }

    @Test
    void absentSystemAndUserFiles_areSkipped() throws IOException {
        WrapConfig c = loader(dir.resolve("no-such-system"), dir.resolve("no-such-user")).load();
        assertEquals(3, c.zstdLevel());
    }

    @Test
    void absentExplicitFile_isAnError() {
        assertThrows(NoSuchFileException.class,
                () -> loader(null, null).load(Optional.of(dir.resolve("missing.conf")), List.of()));
    }

    @Test
    void extraKey_appendsToTheList_plainKeyReplacesIt() throws IOException {
        Path user = write("user", "extra-exclude = share/big/**\n");
        WrapConfig appended = loader(null, user).load();
        assertTrue(appended.excluded("share/big/x"));
        assertTrue(appended.excluded("lib/debug/x"), "defaults kept");
        Path explicit = write("explicit", "exclude = only/**\nextra-exclude = also/**\n");
        WrapConfig replaced = loader(null, user).load(Optional.of(explicit), List.of());
        assertEquals(List.of("only/**", "also/**"), replaced.exclude().patterns());
        Path empty = write("empty", "exclude =\n");
        assertEquals(List.of(), loader(null, null).load(Optional.of(empty), List.of()).exclude().patterns());
    }

    @Test
    void commentsAndBlankLines_areIgnored_hashStartsACommentAnywhere() throws IOException {
        Path f = write("c", "# comment\n\n   \nzstd-level = 19   # the most\r\nhardlink=true\n");
        WrapConfig c = loader(null, null).load(Optional.of(f), List.of());
        assertEquals(19, c.zstdLevel());
        assertEquals(true, c.hardlink());
    }

    @Test
    void unknownKey_namesFileAndLine_andSuggests() throws IOException {
        BadInputException e = badFile("zstd-level = 4\n\nzstd_level = 5\n");
        assertEquals(dir.resolve("bad.conf") + ":3", e.file());
        assertEquals(dir.resolve("bad.conf") + ":3: bad closure-wrap config: unknown key 'zstd_level' (did you mean 'zstd-level'?)",
                e.getMessage());
        assertTrue(badFile("frobnicate = 1\n").getMessage().contains("known keys: store-dir, jobs"));
    }

    @Test
    void badValues_nameTheLineAndTheRule() throws IOException {
        assertEquals("bad.conf:2", Path.of(badFile("jobs = 2\njobs = lots\n").file()).getFileName().toString());
        assertTrue(badFile("jobs = lots\n").getMessage().endsWith("jobs must be a number or 'auto', got 'lots'"));
        assertTrue(badFile("jobs = 0\n").getMessage().endsWith("jobs must be at least 1, got 0"));
        assertTrue(badFile("zstd-level = 23\n").getMessage().endsWith("zstd-level must be 1 to 22, got 23"));
        assertTrue(badFile("gzip-level = 0\n").getMessage().endsWith("gzip-level must be 1 to 9, got 0"));
        assertTrue(badFile("hardlink = yes\n").getMessage().endsWith("hardlink must be true or false, got 'yes'"));
        assertTrue(badFile("store-dir = nix/store\n").getMessage().endsWith("store-dir must be an absolute path, got nix/store"));
        assertTrue(badFile("host-library-dirs = /lib lib\n").getMessage().contains("must be absolute"));
        assertTrue(badFile("exclude = /abs/**\n").getMessage().contains("exclude: pattern '/abs/**' is absolute"));
        assertTrue(badFile("progress-log-interval = 0\n").getMessage().contains("must be positive"));
        assertTrue(badFile("checkpoint-sync-every = -1\n").getMessage().contains("at least 1"));
    }

    @Test
    void badSyntax_namesTheLine() throws IOException {
        assertTrue(badFile("a\n").getMessage().endsWith(":1: bad closure-wrap config: expected 'key = value', got 'a'"));
        assertTrue(badFile("include /etc/other\n").getMessage().contains("expected 'key = value'"));
        assertTrue(badFile("zstd-level = 3 4\n").getMessage().endsWith("'zstd-level' takes one value, got 2"));
        assertTrue(badFile("jobs =\n").getMessage().endsWith("'jobs' takes one value, got 0"));
        assertTrue(badFile("extra-jobs = 2\n").getMessage().contains("jobs is not a list"));
    }

    @Test
    void notUtf8_directory_andHugeFile_areBadInput() throws IOException {
        Path latin1 = dir.resolve("latin1");
        Files.write(latin1, new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        assertTrue(assertThrows(BadInputException.class, () -> loader(null, null).load(Optional.of(latin1), List.of()))
                .getMessage().endsWith("not valid UTF-8"));
        assertTrue(assertThrows(BadInputException.class, () -> loader(null, null).load(Optional.of(dir), List.of()))
                .getMessage().endsWith("is a directory"));
        Path huge = dir.resolve("huge");
        Files.write(huge, new byte[(int) ConfigLoader.MAX_FILE_BYTES + 1]);
        assertTrue(assertThrows(BadInputException.class, () -> loader(null, null).load(Optional.of(huge), List.of()))
                .getMessage().contains("at most"));
    }

    @Test
    void badSystemFile_isReportedEvenWhenAUserFileFollows() throws IOException {
        Path system = write("system", "xz-level = 10\n");
        Path user = write("user", "xz-level = 1\n");
        BadInputException e = assertThrows(BadInputException.class, () -> loader(system, user).load());
        assertEquals(system + ":1", e.file());
    }

    @Test
    void badOption_isNamedByItsKey() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> loader(null, null).load(Optional.empty(), List.of(Map.entry("xz-level", "11"))));
        assertEquals("--option xz-level", e.file());
        assertEquals("--option xz-level: bad closure-wrap config: xz-level must be 0 to 9, got 11", e.getMessage());
        assertThrows(BadInputException.class,
                () -> loader(null, null).load(Optional.empty(), List.of(Map.entry("jobs = 3 #", "1"))));
    }

    @Test
    void userFile_followsXdgConfigHome_elseHome_ignoringRelativeXdg() {
        assertEquals(Optional.of(Path.of("/x/closure-wrap/config")),
                ConfigLoader.userFile(Map.of("XDG_CONFIG_HOME", "/x", "HOME", "/h")));
        assertEquals(Optional.of(Path.of("/h/.config/closure-wrap/config")),
                ConfigLoader.userFile(Map.of("XDG_CONFIG_HOME", "rel", "HOME", "/h")));
        assertEquals(Optional.of(Path.of("/h/.config/closure-wrap/config")), ConfigLoader.userFile(Map.of("HOME", "/h")));
        assertEquals(Optional.empty(), ConfigLoader.userFile(Map.of()));
    }

    @Test
    void configText_readBackAsAFile_givesTheSameConfig() throws IOException {
        Path f = write("in", "zstd-level = 12\nexclude = a/** b/*.so\nhardlink = true\njobs = 3\n");
        WrapConfig c = loader(null, null).load(Optional.of(f), List.of());
        Path shown = write("shown", c.toConfigText());
        assertEquals(c, loader(null, null).load(Optional.of(shown), List.of()));
    }

    @Test
    void stagedMaxSize_takesBytesWithBinarySuffixesOrUnlimited_andRefusesTheRest() throws IOException {
        assertEquals(5L << 30, loader(null, null).load().stagedMaxBytes(), "the shipped default");
        assertEquals(0, ConfigLoader.size("0", "k"));
        assertEquals(1536, ConfigLoader.size("1536", "k"));
        assertEquals(3L << 20, ConfigLoader.size("3M", "k"));
        assertEquals(2L << 40, ConfigLoader.size("2T", "k"));
        assertEquals(Long.MAX_VALUE, ConfigLoader.size("unlimited", "k"));
        for (String bad : List.of("", "G", "-1", "5g", "5GB", "1.5G", "9999999999T", "lots")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.size(bad, "staged-max-size"));
            assertTrue(e.getMessage().contains("staged-max-size") && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        Path f = write("sizes", "staged-max-size = 1536M\n");
        WrapConfig c = loader(null, null).load(Optional.of(f), List.of());
        assertEquals(1536L << 20, c.stagedMaxBytes());
        assertTrue(c.toConfigText().contains("staged-max-size = 1536M\n"), c.toConfigText());
        assertEquals(c, loader(null, null).load(Optional.of(write("shown-sizes", c.toConfigText())), List.of()));
        assertEquals("unlimited", WrapConfig.sizeText(Long.MAX_VALUE));
        assertEquals("1000", WrapConfig.sizeText(1000));
        assertEquals("0", WrapConfig.sizeText(0));
        assertEquals("4G", WrapConfig.sizeText(4L << 30));
    }
}
