package dev.closurewrap.graph;

import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The musl dynamic loader (1.2, {@code ldso/dynlink.c}: {@code load_library}, {@code path_open},
 * {@code fixup_rpath}, {@code load_deps}) as a pure model. Unlike glibc:
 *
 * <ul>
 * <li>the C library's own names ({@code libc.so}, {@code libpthread.so}, ... any
 *     {@code lib<c|pthread|rt|m|dl|util|xnet>.} prefix) and the interpreter path are the loader;
 * <li>a name with '/' is opened literally (no $ORIGIN in DT_NEEDED);
 * <li>an already loaded library is matched by the basename of the path it was <em>searched</em>
 *     at, never by DT_SONAME;
 * <li>RUNPATH (or else RPATH) of the requester, then of the object that loaded it, and so on:
 *     the search path is inherited along the chain; {@code $ORIGIN} is the only token, any other
 *     discards that object's path;
 * <li>then {@code <interpreter's parent dir>/etc/ld-musl-<arch>.path}, else the default path;
 * <li>candidates of 512 bytes or more are skipped; empty elements are skipped.
 * </ul>
 */
public final class MuslLoader {
    private static final int PATH_BUFFER = 512;
    private static final String[] RESERVED = {"c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet."};

    private final MuslConfig config;
    private final FileSystemView fs;

    public MuslLoader(MuslConfig config, FileSystemView fs) {
        this.config = config;
        this.fs = fs;
    }

    public LoadTrace load(String program) throws IOException {
        return load(program, Map.of());
    }

    /** Like {@link GlibcLoader#load(String, Map)}. */
    public LoadTrace load(String program, Map<String, LoadableObject> substitute) throws IOException {
        return load(program, substitute, Optional.empty());
    }

    /** Like {@link GlibcLoader#load(String, Map, Optional)}. */
    public LoadTrace load(String program, Map<String, LoadableObject> substitute, Optional<String> interpreter)
            throws IOException {
        FileSystemView.Opened main = fs.open(program)
                .orElseThrow(() -> new IOException(LoaderPaths.display(program) + ": not an ELF file"));
        return new Process(program, main, substitute, interpreter).run();
    }

    private static final class Dso {
        final String name;
        final String canonical;
        final LoadableObject object;
        final Dso neededBy;
        final String origin;
        String shortname;

        Dso(String name, String canonical, LoadableObject object, Dso neededBy, String origin) {
            this.name = name;
            this.canonical = canonical;
            this.object = object;
            this.neededBy = neededBy;
            this.origin = origin;
        }
    }

    private final class Process {
        private final String program;
        private final FileSystemView.Opened mainFile;
        private final Map<String, LoadableObject> substitute;
        private final List<Dso> list = new ArrayList<>();
        private final List<Resolution> resolutions = new ArrayList<>();
        private final List<String> failed = new ArrayList<>();
        private Dso ldso;
        private boolean ldsoListed;
        private String systemPath;
        private final Optional<String> defaultInterpreter;

        Process(String program, FileSystemView.Opened mainFile, Map<String, LoadableObject> substitute,
                Optional<String> defaultInterpreter) {
            this.program = program;
            this.mainFile = mainFile;
            this.substitute = substitute;
            this.defaultInterpreter = defaultInterpreter;
        }

        LoadTrace run() throws IOException {
            LoadableObject mainObject = object(mainFile);
            // The kernel mapped the program: its $ORIGIN comes from /proc/self/exe.
            Dso app = new Dso(program, mainFile.canonicalPath(), mainObject, null,
                    LoaderPaths.dirname(mainFile.canonicalPath()));
            list.add(app);
            String interp = mainObject.interpreter().map(LoaderPaths::of).or(() -> defaultInterpreter).orElse("");
            Optional<FileSystemView.Opened> ldsoFile = interp.isEmpty() ? Optional.empty() : fs.open(interp);
            ldso = new Dso(interp, ldsoFile.map(FileSystemView.Opened::canonicalPath).orElse(interp),
                    ldsoFile.map(this::object).orElse(mainObject.withNeeded(List.of())), null,
                    LoaderPaths.dirname(interp));

            for (int i = 0; i < list.size(); i++) {
                Dso p = list.get(i);
                for (ByteString needed : p.object.needed()) {
                    loadLibrary(needed, p);
                }
            }
            List<LoadTrace.Loaded> order = new ArrayList<>();
            for (Dso dso : list.subList(1, list.size())) {
                order.add(new LoadTrace.Loaded(dso.name, dso.canonical));
            }
            return new LoadTrace(program, order, resolutions, failed);
        }

        private LoadableObject object(FileSystemView.Opened opened) {
            return substitute.getOrDefault(opened.canonicalPath(), opened.object());
        }

        private void loadLibrary(ByteString neededBytes, Dso neededBy) throws IOException {
            String name = LoaderPaths.of(neededBytes);
            if (name.isEmpty()) {
                notFound(neededBy, neededBytes);
                return;
            }
            if (isReserved(name) || name.equals(ldso.name)) {
                if (!ldsoListed) {
                    list.add(ldso);
                    ldsoListed = true;
                }
                found(neededBy, neededBytes, ldso, ldso.name, How.LOADER, null);
                return;
            }
            String pathname;
            How how;
            String directory = null;
            if (name.indexOf('/') >= 0) {
                if (!fs.exists(name)) {
                    failed.add(name);
                    notFound(neededBy, neededBytes);
                    return;
                }
                pathname = name;
                how = How.PATH;
            } else {
                for (Dso p : list.subList(1, list.size())) {
                    if (name.equals(p.shortname)) {
                        found(neededBy, neededBytes, p, p.name, How.ALREADY_LOADED, null);
                        return;
                    }
                }
                String[] hit = null;
                if (config.libraryPath().isPresent()) {
                    hit = pathOpen(name, config.libraryPath().get());
                    how = How.LIBRARY_PATH;
                } else {
                    how = How.RUNPATH;
                }
                for (Dso p = neededBy; hit == null && p != null; p = p.neededBy) {
                    Optional<String> rpath = searchPath(p);
                    if (rpath.isPresent()) {
                        hit = pathOpen(name, rpath.get());
                        how = p.object.runpath().isPresent() ? How.RUNPATH : How.RPATH;
                    }
                }
                if (hit == null) {
                    hit = pathOpen(name, systemPath());
                    how = How.DEFAULT;
                }
                if (hit == null) {
                    notFound(neededBy, neededBytes);
                    return;
                }
                pathname = hit[0];
                directory = hit[1];
            }
            Optional<FileSystemView.Opened> opened = fs.open(pathname);
            if (opened.isEmpty()) {
                notFound(neededBy, neededBytes);
                return;
            }
            boolean searched = name.indexOf('/') < 0;
            for (Dso p : list.subList(1, list.size())) {
                if (p != ldso && p.canonical.equals(opened.get().canonicalPath())) {
                    // Loaded before by explicit path: a search that finds the same inode gives it a shortname.
                    if (p.shortname == null && searched) {
                        p.shortname = LoaderPaths.basename(p.name);
                    }
                    found(neededBy, neededBytes, p, pathname, how, directory);
                    return;
                }
            }
            Dso dso = new Dso(pathname, opened.get().canonicalPath(), object(opened.get()), neededBy,
                    LoaderPaths.dirname(pathname));
            if (searched) {
                dso.shortname = LoaderPaths.basename(pathname);
            }
            list.add(dso);
            found(neededBy, neededBytes, dso, pathname, how, directory);
        }

        private void found(Dso requester, ByteString needed, Dso target, String openedAs, How how, String directory) {
            resolutions.add(new Resolution(requester.canonical, needed, Optional.of(target.canonical),
                    Optional.of(openedAs), how, Optional.ofNullable(directory)));
        }

        private void notFound(Dso requester, ByteString needed) {
            resolutions.add(new Resolution(requester.canonical, needed, Optional.empty(), Optional.empty(),
                    How.NOT_FOUND, Optional.empty()));
        }

        /** {@code fixup_rpath}: RUNPATH else RPATH, with $ORIGIN / ${ORIGIN} expanded; any other '$' voids it. */
        private Optional<String> searchPath(Dso p) {
            Optional<ByteString> raw = p.object.runpath().or(p.object::rpath);
            if (raw.isEmpty()) {
                return Optional.empty();
            }
            String s = LoaderPaths.of(raw.get());
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < s.length()) {
                if (s.charAt(i) != '$') {
                    out.append(s.charAt(i++));
                } else if (s.startsWith("$ORIGIN", i)) {
                    out.append(p.origin);
                    i += 7;
                } else if (s.startsWith("${ORIGIN}", i)) {
                    out.append(p.origin);
                    i += 9;
                } else {
                    return Optional.empty();
                }
            }
            return Optional.of(out.toString());
        }

        /** {@code path_open}: each non-empty element of a ':'/newline separated list; returns {path, dir}. */
        private String[] pathOpen(String name, String path) throws IOException {
            int i = 0;
            while (true) {
                while (i < path.length() && (path.charAt(i) == ':' || path.charAt(i) == '\n')) {
                    i++;
                }
                int end = i;
                while (end < path.length() && path.charAt(end) != ':' && path.charAt(end) != '\n') {
                    end++;
                }
                if (end == i) {
                    return null;
                }
                String dir = path.substring(i, end);
                String candidate = dir + "/" + name;
                if (candidate.length() < PATH_BUFFER) {
                    if (fs.exists(candidate)) {
                        return new String[] {candidate, dir};
                    }
                    failed.add(candidate);
                }
                i = end;
            }
        }

        /** The system path: {@code etc/ld-musl-<arch>.path} beside the loader's directory, read once. */
        private String systemPath() throws IOException {
            if (systemPath == null) {
                String prefix = "";
                if (ldso.name.startsWith("/")) {
                    String dir = LoaderPaths.dirname(ldso.name);
                    prefix = dir.equals("/") ? "" : LoaderPaths.dirname(dir);
                    if (prefix.equals("/")) {
                        prefix = "";
                    }
                }
                String file = prefix + "/etc/ld-musl-" + config.arch() + ".path";
                var path = LoaderPaths.toPath(file);
                if (Files.isRegularFile(path)) {
                    systemPath = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
                } else {
                    failed.add(file);
                    systemPath = config.defaultPath();
                }
            }
            return systemPath;
        }
    }

    /** musl's reserved names: {@code lib} then one of its own library names and a dot. */
    static boolean isReserved(String name) {
        if (!name.startsWith("lib")) {
            return false;
        }
        for (String reserved : RESERVED) {
            if (name.startsWith(reserved, 3)) {
                return true;
            }
        }
        return false;
    }
}
