package dev.closurewrap.graph;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The glibc dynamic loader (2.36, {@code elf/dl-load.c} and {@code elf/dl-deps.c}) as a pure model:
 * given a program, the objects it loads in order, how each DT_NEEDED entry resolves, and every
 * file lookup that fails on the way. The rules, in the order the loader applies them to a name:
 *
 * <ol>
 * <li>an object already loaded whose name list has the name (its path as opened, the names it
 *     was requested by), or whose DT_SONAME is the name; the loader itself is loaded from the
 *     start under its PT_INTERP path and its soname;
 * <li>a name with '/' is opened as given, after $ORIGIN/$LIB/$PLATFORM expansion;
 * <li>otherwise, unless the requester has DT_RUNPATH: the DT_RPATH of the requester, of the
 *     object that loaded it, and so on up to the program, then the program's own DT_RPATH;
 *     LD_LIBRARY_PATH; the requester's own DT_RUNPATH; ld.so.cache; the default directories
 *     (the last two skipped for DF_1_NODEFLIB requesters).
 * </ol>
 *
 * Every search directory is tried with each hwcaps subdirectory before itself; a subdirectory
 * found missing once (by a failed open and a failed stat) is never tried again in that process,
 * and the knowledge is shared by every search list naming the same directory. A file found is
 * checked against the loaded objects by identity (device and inode: here the canonical path).
 * Objects are loaded breadth-first, the program's needs first.
 */
public final class GlibcLoader {
    private static final int UNKNOWN = 0;
    private static final int MISSING = 1;
    private static final int PRESENT = 2;

    private final GlibcConfig config;
    private final FileSystemView fs;
    private final List<String> subdirs;
    private volatile Optional<LdSoCache> cache;
    private volatile boolean cacheRead;

    public GlibcLoader(GlibcConfig config, FileSystemView fs) {
        this.config = config;
        this.fs = fs;
        this.subdirs = config.searchSubdirs();
    }

    public GlibcConfig config() {
        return config;
    }

    /**
     * Starts {@code program} (a path, run directly: its $ORIGIN is its canonical directory) and
     * returns what its loader does. {@code substitute} replaces the loaded objects' dynamic
     * information, for predicting the loader after a rewrite; pass {@code Map.of()} for the files as
     * they are.
     */
    public LoadTrace load(String program, Map<String, LoadableObject> substitute) throws IOException {
        return load(program, substitute, Optional.empty());
    }

    /**
     * Like {@link #load(String, Map)}, with {@code interpreter} standing in for a missing PT_INTERP:
     * the loader a library is modelled under when no program of the closure loads it.
     */
    public LoadTrace load(String program, Map<String, LoadableObject> substitute, Optional<String> interpreter)
            throws IOException {
        FileSystemView.Opened main = fs.open(program)
                .orElseThrow(() -> new IOException(LoaderPaths.display(program) + ": not an ELF file"));
        return new Process(program, main, substitute, interpreter).run();
    }

    public LoadTrace load(String program) throws IOException {
        return load(program, Map.of());
    }

    private Optional<LdSoCache> cache() throws IOException {
        if (!cacheRead) {
            synchronized (this) {
                if (!cacheRead) {
                    var file = LoaderPaths.toPath(config.cacheFile());
                    cache = Files.isRegularFile(file) ? Optional.of(LdSoCache.read(file)) : Optional.empty();
                    cacheRead = true;
                }
            }
        }
        return cache;
    }

    /** One loaded object: glibc's {@code struct link_map}, the parts the search uses. */
    private static final class LinkMap {
        final String name;
        final String canonical;
        final LoadableObject object;
        final LinkMap loader;
        final String origin;
        final List<String> names = new ArrayList<>();
        boolean sonameAdded;
        List<String> rpathDirs;
        List<String> runpathDirs;

        LinkMap(String name, String canonical, LoadableObject object, LinkMap loader, String origin) {
            this.name = name;
            this.canonical = canonical;
            this.object = object;
            this.loader = loader;
            this.origin = origin;
        }

        boolean matches(String wanted) {
            return name.equals(wanted) || names.contains(wanted);
        }
    }

    /** One process start: the loaded objects, the directory knowledge and the failed lookups. */
    private final class Process {
        private final String program;
        private final FileSystemView.Opened mainFile;
        private final Map<String, LoadableObject> substitute;
        private final List<LinkMap> loaded = new ArrayList<>();
        private final Map<String, int[]> dirStatus = new HashMap<>();
        private final List<String> failed = new ArrayList<>();
        private final List<Resolution> resolutions = new ArrayList<>();
        private LinkMap main;
        private LinkMap rtld;
        private final Optional<String> defaultInterpreter;
        private boolean cacheMissingReported;

        Process(String program, FileSystemView.Opened mainFile, Map<String, LoadableObject> substitute,
                Optional<String> defaultInterpreter) {
            this.program = program;
            this.mainFile = mainFile;
            this.substitute = substitute;
            this.defaultInterpreter = defaultInterpreter;
        }

        LoadTrace run() throws IOException {
            LoadableObject mainObject = object(mainFile);
            // Run directly, the program's $ORIGIN comes from /proc/self/exe: its canonical path.
            main = new LinkMap("", mainFile.canonicalPath(), mainObject, null,
                    LoaderPaths.dirname(mainFile.canonicalPath()));
            loaded.add(main);
            Optional<String> interpreter = mainObject.interpreter().map(LoaderPaths::of).or(() -> defaultInterpreter);
            if (interpreter.isPresent()) {
                String interp = interpreter.get();
                Optional<FileSystemView.Opened> rtldFile = fs.open(interp);
                if (rtldFile.isPresent()) {
                    LoadableObject rtldObject = object(rtldFile.get());
                    rtld = new LinkMap(interp, rtldFile.get().canonicalPath(), rtldObject, null,
                            LoaderPaths.dirname(interp));
                    rtld.names.add(interp);
                    rtldObject.soname().map(LoaderPaths::of).filter(s -> !s.equals(interp)).ifPresent(rtld.names::add);
                    loaded.add(rtld);
                }
            }

            List<LinkMap> queue = new ArrayList<>();
            Set<LinkMap> queued = new HashSet<>();
            queue.add(main);
            queued.add(main);
            for (int i = 0; i < queue.size(); i++) {
                LinkMap requester = queue.get(i);
                for (ByteString needed : requester.object.needed()) {
                    LinkMap dep = mapObject(requester, needed);
                    if (dep != null && queued.add(dep)) {
                        queue.add(dep);
                    }
                }
            }
            if (rtld != null && !queued.contains(rtld)) {
                queue.add(rtld);
            }
            List<LoadTrace.Loaded> order = new ArrayList<>();
            for (LinkMap map : queue.subList(1, queue.size())) {
                order.add(new LoadTrace.Loaded(map.name, map.canonical));
            }
            return new LoadTrace(program, order, resolutions, failed);
        }

        private LoadableObject object(FileSystemView.Opened opened) {
            return substitute.getOrDefault(opened.canonicalPath(), opened.object());
        }

        /** {@code _dl_map_object}: find or load the object for one DT_NEEDED name. */
        private LinkMap mapObject(LinkMap requester, ByteString neededBytes) throws IOException {
            String name = LoaderPaths.of(neededBytes);
            for (LinkMap l : loaded) {
                if (l.matches(name)) {
                    return found(requester, neededBytes, l, l.name, l == rtld ? How.LOADER : How.ALREADY_LOADED,
                            null);
                }
                if (!l.sonameAdded && l.object.soname().isPresent()
                        && LoaderPaths.of(l.object.soname().get()).equals(name)) {
                    l.names.add(name);
                    l.sonameAdded = true;
                    return found(requester, neededBytes, l, l.name, l == rtld ? How.LOADER : How.ALREADY_LOADED,
                            null);
                }
            }

            Hit hit;
            if (name.indexOf('/') >= 0) {
                Optional<String> expanded = expand(name, requester);
                hit = expanded.isEmpty() ? null : openVerify(expanded.get()) ? new Hit(expanded.get(), How.PATH, null)
                        : null;
            } else {
                hit = search(requester, name);
            }
            if (hit == null) {
                resolutions.add(new Resolution(requester.canonical, neededBytes, Optional.empty(), Optional.empty(),
                        How.NOT_FOUND, Optional.empty()));
                return null;
            }
            FileSystemView.Opened opened = fs.open(hit.path).orElseThrow();
            for (LinkMap l : loaded) {
                if (l != main && l != rtld && l.canonical.equals(opened.canonicalPath())) {
                    if (!l.names.contains(name)) {
                        l.names.add(name);
                    }
                    return found(requester, neededBytes, l, hit.path, hit.how, hit.directory);
                }
            }
            LinkMap map = new LinkMap(hit.path, opened.canonicalPath(), object(opened), requester,
                    LoaderPaths.dirname(hit.path));
            map.names.add(name);
            loaded.add(map);
            return found(requester, neededBytes, map, hit.path, hit.how, hit.directory);
        }

        private LinkMap found(LinkMap requester, ByteString needed, LinkMap target, String openedAs, How how,
                String directory) {
            resolutions.add(new Resolution(requester.canonical, needed, Optional.of(target.canonical),
                    Optional.of(openedAs), how, Optional.ofNullable(directory)));
            return target;
        }

        private Hit search(LinkMap requester, String name) throws IOException {
            if (requester.object.runpath().isEmpty()) {
                boolean didMain = false;
                for (LinkMap l = requester; l != null; l = l.loader) {
                    List<String> dirs = rpathDirs(l);
                    if (!dirs.isEmpty()) {
                        Hit hit = openPath(name, dirs, How.RPATH);
                        if (hit != null) {
                            return hit;
                        }
                        didMain |= l == main;
                    }
                }
                if (!didMain) {
                    List<String> dirs = rpathDirs(main);
                    if (!dirs.isEmpty()) {
                        Hit hit = openPath(name, dirs, How.RPATH);
                        if (hit != null) {
                            return hit;
                        }
                    }
                }
            }
            if (config.libraryPath().isPresent()) {
                Hit hit = openPath(name, decompose(config.libraryPath().get(), main, ":;"), How.LIBRARY_PATH);
                if (hit != null) {
                    return hit;
                }
            }
            if (requester.object.runpath().isPresent()) {
                if (requester.runpathDirs == null) {
                    requester.runpathDirs = decompose(LoaderPaths.of(requester.object.runpath().get()), requester, ":");
                }
                Hit hit = openPath(name, requester.runpathDirs, How.RUNPATH);
                if (hit != null) {
                    return hit;
                }
            }
            boolean noDefaultLib = requester.object.noDefaultLib();
            Optional<String> cached = cacheLookup(name);
            if (cached.isPresent() && noDefaultLib && inSystemDir(cached.get())) {
                cached = Optional.empty();
            }
            if (cached.isPresent() && openVerify(cached.get())) {
                return new Hit(cached.get(), How.CACHE, config.cacheFile());
            }
            if (!noDefaultLib) {
                return openPath(name, config.systemDirs(), How.DEFAULT);
            }
            return null;
        }

        private List<String> rpathDirs(LinkMap l) {
            if (l.rpathDirs == null) {
                Optional<ByteString> rpath = l.object.effectiveRpath();
                l.rpathDirs = rpath.isEmpty() ? List.of() : decompose(LoaderPaths.of(rpath.get()), l, ":");
            }
            return l.rpathDirs;
        }

        private Optional<String> cacheLookup(String name) throws IOException {
            Optional<LdSoCache> cache = cache();
            if (cache.isEmpty()) {
                if (!cacheMissingReported) {
                    failed.add(config.cacheFile());
                    cacheMissingReported = true;
                }
                return Optional.empty();
            }
            return cache.get().lookup(name, config.cacheFlags(), config.hwcapsSubdirs());
        }

        private boolean inSystemDir(String path) {
            return config.systemDirs().stream().anyMatch(path::startsWith);
        }

        /** {@code open_path}: every directory, each hwcaps subdirectory first, remembering missing ones. */
        private Hit openPath(String name, List<String> dirs, How how) throws IOException {
            for (String dir : dirs) {
                int[] status = dirStatus.computeIfAbsent(dir, d -> newStatus(d));
                for (int i = 0; i < subdirs.size(); i++) {
                    if (status[i] == MISSING) {
                        continue;
                    }
                    String candidate = dir + subdirs.get(i) + name;
                    boolean exists = fs.exists(candidate);
                    if (!exists) {
                        failed.add(candidate);
                    }
                    boolean ok = exists && fits(candidate);
                    if (status[i] == UNKNOWN) {
                        if (ok) {
                            status[i] = PRESENT;
                        } else {
                            String tried = (dir + subdirs.get(i));
                            tried = tried.substring(0, tried.length() - 1);
                            if (!fs.exists(tried)) {
                                failed.add(tried);
                            }
                            status[i] = fs.isDirectory(tried) ? PRESENT : MISSING;
                        }
                    }
                    if (ok) {
                        String foundIn = dir + subdirs.get(i);
                        return new Hit(candidate, how,
                                foundIn.length() > 1 ? foundIn.substring(0, foundIn.length() - 1) : foundIn);
                    }
                }
            }
            return null;
        }

        private int[] newStatus(String dir) {
            int[] status = new int[subdirs.size()];
            // Relative directories depend on the working directory: never remembered as missing.
            java.util.Arrays.fill(status, dir.startsWith("/") ? UNKNOWN : PRESENT);
            return status;
        }

        /** {@code open_verify} of a path given in full: a failed open is a failed lookup. */
        private boolean openVerify(String path) throws IOException {
            if (!fs.exists(path)) {
                failed.add(path);
                return false;
            }
            return fits(path);
        }

        /** Whether the file there is an ELF object of the program's class and machine. */
        private boolean fits(String path) throws IOException {
            Optional<FileSystemView.Opened> opened = fs.open(path);
            return opened.isPresent() && opened.get().object().fits(main.object.elfClass(), main.object.machine());
        }

        /** {@code fillin_rpath}: expand, drop empty and unexpandable entries, end each with '/', no duplicates. */
        private List<String> decompose(String path, LinkMap owner, String separators) {
            List<String> dirs = new ArrayList<>();
            int start = 0;
            while (start <= path.length()) {
                int end = start;
                while (end < path.length() && separators.indexOf(path.charAt(end)) < 0) {
                    end++;
                }
                String element = path.substring(start, end);
                start = end + 1;
                String dir;
                if (element.isEmpty()) {
                    dir = ""; // the current directory
                } else {
                    Optional<String> expanded = expand(element, owner);
                    if (expanded.isEmpty() || expanded.get().isEmpty()) {
                        continue;
                    }
                    dir = expanded.get();
                    int len = dir.length();
                    while (len > 1 && dir.charAt(len - 1) == '/') {
                        len--;
                    }
                    dir = dir.substring(0, len);
                    if (!dir.endsWith("/")) {
                        dir = dir + "/";
                    }
                }
                if (!dirs.contains(dir)) {
                    dirs.add(dir);
                }
            }
            return dirs;
        }

        /** {@code _dl_dst_substitute}: $ORIGIN, $LIB, $PLATFORM, braced or not. */
        private Optional<String> expand(String s, LinkMap owner) {
            if (s.indexOf('$') < 0) {
                return Optional.of(s);
            }
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != '$') {
                    out.append(c);
                    i++;
                    continue;
                }
                int len;
                String value;
                if ((len = dst(s, i + 1, "ORIGIN")) > 0) {
                    value = owner.origin;
                } else if ((len = dst(s, i + 1, "PLATFORM")) > 0) {
                    value = config.platform();
                } else if ((len = dst(s, i + 1, "LIB")) > 0) {
                    value = config.lib();
                } else {
                    out.append(c);
                    i++;
                    continue;
                }
                if (value == null) {
                    return Optional.empty();
                }
                out.append(value);
                i += 1 + len;
            }
            return Optional.of(out.toString());
        }
    }

    /** The length of {@code $NAME} or {@code ${NAME}} at {@code from} (after the '$'), or 0. */
    static int dst(String s, int from, String name) {
        if (s.startsWith(name, from)) {
            int end = from + name.length();
            boolean boundary = end == s.length() || !isIdentifierChar(s.charAt(end));
            return boundary ? name.length() : 0;
        }
        if (s.startsWith("{" + name + "}", from)) {
            return name.length() + 2;
        }
        return 0;
    }

    /** C's {@code isalnum} in the C locale, or '_'. */
    private static boolean isIdentifierChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private record Hit(String path, How how, String directory) {}
}
