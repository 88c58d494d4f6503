package dev.closurewrap.graph;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one glibc loader build searches: the values {@code ld.so --list-diagnostics} prints (system
 * directories, {@code $LIB}, {@code $PLATFORM}, glibc-hwcaps subdirectories, the legacy hwcap
 * strings, the cache file) and the environment the program runs in ({@code LD_LIBRARY_PATH}).
 *
 * @param systemDirs        the default directories, each ending in '/'
 * @param lib               what {@code $LIB} expands to
 * @param platform          what {@code $PLATFORM} expands to
 * @param hwcapsSubdirs     active glibc-hwcaps subdirectories, most preferred first (x86-64-v4 ...)
 * @param legacyHwcaps      the legacy hwcap strings the loader searches (glibc 2.26 - 2.36), not counting {@code tls}
 * @param cacheFile         the {@code ld.so.cache} this loader reads
 * @param cacheFlags        the entry flags this loader accepts ({@code 0x303} for x86-64 libc6)
 * @param libraryPath       {@code LD_LIBRARY_PATH}, if set
 */
public record GlibcConfig(List<String> systemDirs, String lib, String platform, List<String> hwcapsSubdirs,
        List<String> legacyHwcaps, boolean legacyTls, String cacheFile, int cacheFlags,
        Optional<String> libraryPath) {

    public GlibcConfig {
        systemDirs = List.copyOf(systemDirs);
        Objects.requireNonNull(lib, "lib");
        Objects.requireNonNull(platform, "platform");
        hwcapsSubdirs = List.copyOf(hwcapsSubdirs);
        legacyHwcaps = List.copyOf(legacyHwcaps);
        Objects.requireNonNull(cacheFile, "cacheFile");
        Objects.requireNonNull(libraryPath, "libraryPath");
        for (String dir : systemDirs) {
            if (!dir.endsWith("/")) {
                throw new IllegalArgumentException("system directory without trailing '/': " + dir);
            }
        }
    }

    /** Debian 12's glibc 2.36 on x86-64 on a machine with AVX-512 (x86-64-v4), the CI machine. */
    public static GlibcConfig debian12() {
        return new GlibcConfig(
                List.of("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/"),
                "lib/x86_64-linux-gnu", "x86_64", List.of("x86-64-v4", "x86-64-v3", "x86-64-v2"),
                List.of("x86_64", "x86_64"), true, "/etc/ld.so.cache", 0x303, Optional.empty());
    }

    public GlibcConfig withLibraryPath(Optional<String> newLibraryPath) {
        return new GlibcConfig(systemDirs, lib, platform, hwcapsSubdirs, legacyHwcaps, legacyTls, cacheFile,
                cacheFlags, newLibraryPath);
    }

    /**
     * The subdirectories the loader tries, in order, inside every search directory before the
     * directory itself (which is the final, empty entry): {@code glibc-hwcaps/<subdir>/} for each
     * active subdirectory, then every combination of the legacy strings, longest first, as
     * glibc 2.36's {@code _dl_important_hwcaps} lays them out ({@code tls} leads when present).
     */
    public List<String> searchSubdirs() {
        List<String> result = new ArrayList<>();
        for (String subdir : hwcapsSubdirs) {
            result.add("glibc-hwcaps/" + subdir + "/");
        }
        List<String> parts = new ArrayList<>();
        if (legacyTls) {
            parts.add("tls");
        }
        parts.addAll(legacyHwcaps);
        int n = parts.size();
        for (int mask = (1 << n) - 1; mask >= 0; mask--) {
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << (n - 1 - i))) != 0) {
                    prefix.append(parts.get(i)).append('/');
                }
            }
            result.add(prefix.toString());
        }
        return result;
    }

    private static final Pattern LINE = Pattern.compile("^([A-Za-z0-9_.]+)(?:\\[0x([0-9a-f]+)\\])?=(.*)$");

    /**
     * Reads what {@code ld.so --list-diagnostics} (glibc 2.33+) printed. Values missing from the
     * output keep {@code fallback}'s.
     */
    public static GlibcConfig fromDiagnostics(String output, GlibcConfig fallback) throws IOException {
        List<String> systemDirs = new ArrayList<>();
        String lib = fallback.lib;
        String platform = fallback.platform;
        List<String> subdirs = null;
        long subdirsActive = -1;
        long hwcap = -1;
        long hwcapImportant = -1;
        String sysconfdir = null;
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String key = m.group(1);
            String value = m.group(3);
            switch (key) {
                case "path.system_dirs" -> systemDirs.add(unquote(value));
                case "dl_dst_lib" -> lib = unquote(value);
                case "dl_platform" -> platform = unquote(value);
                case "dl_hwcaps_subdirs" -> subdirs = List.of(unquote(value).split(":"));
                case "dl_hwcaps_subdirs_active" -> subdirsActive = Long.decode(value);
                case "dl_hwcap" -> hwcap = Long.decode(value);
                case "dl_hwcap_important" -> hwcapImportant = Long.decode(value);
                case "path.sysconfdir" -> sysconfdir = unquote(value);
                default -> { }
            }
        }
        List<String> active = fallback.hwcapsSubdirs;
        if (subdirs != null && subdirsActive >= 0) {
            active = new ArrayList<>();
            for (int i = 0; i < subdirs.size(); i++) {
                if ((subdirsActive & (1L << i)) != 0 && !subdirs.get(i).isEmpty()) {
                    active.add(subdirs.get(i));
                }
            }
        }
        List<String> legacy = fallback.legacyHwcaps;
        if (hwcap >= 0 && hwcapImportant >= 0) {
            legacy = new ArrayList<>();
            long masked = hwcap & hwcapImportant;
            for (int bit = 0; bit < 64; bit++) {
                if ((masked & (1L << bit)) != 0) {
                    legacy.add(x86HwcapName(bit));
                }
            }
            legacy.add(platform);
        }
        return new GlibcConfig(systemDirs.isEmpty() ? fallback.systemDirs : systemDirs, lib, platform, active,
                legacy, fallback.legacyTls, sysconfdir == null ? fallback.cacheFile : sysconfdir + "/ld.so.cache",
                fallback.cacheFlags, fallback.libraryPath);
    }

    /** glibc's {@code _dl_hwcap_string} on x86 (sysdeps/x86/dl-hwcap.h). */
    private static String x86HwcapName(int bit) {
        return switch (bit) {
            case 0 -> "sse2";
            case 1 -> "x86_64";
            case 2 -> "avx512_1";
            default -> "hwcap" + bit;
        };
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
