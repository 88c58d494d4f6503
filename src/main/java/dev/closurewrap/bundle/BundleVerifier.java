package dev.closurewrap.bundle;

import dev.closurewrap.bundle.VerifyReport.InterpreterProblem;
import dev.closurewrap.bundle.VerifyReport.Location;
import dev.closurewrap.bundle.VerifyReport.RemainingReference;
import dev.closurewrap.bundle.VerifyReport.SecureExecCase;
import dev.closurewrap.bundle.VerifyReport.UnresolvedLibrary;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.elf.SectionHeader;
import dev.closurewrap.graph.GlibcConfig;
import dev.closurewrap.graph.GlibcLoader;
import dev.closurewrap.graph.HostFileSystem;
import dev.closurewrap.graph.LoadTrace;
import dev.closurewrap.graph.LoadableObject;
import dev.closurewrap.graph.LoaderPaths;
import dev.closurewrap.graph.MuslConfig;
import dev.closurewrap.graph.MuslLoader;
import dev.closurewrap.graph.Resolution;
import dev.closurewrap.graph.ScannedFile;
import dev.closurewrap.graph.Scanner;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.ParallelIo;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.rewrite.StoreReference;
import dev.closurewrap.rewrite.StoreReferenceScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code closure-wrap verify}: checks a bundle where it lies <em>now</em>. Every program's start is
 * simulated with its loader's rules (glibc or musl, from the {@code graph} package) on the real
 * file system, so $ORIGIN expands to the object's place in the bundle and absolute DT_NEEDED and
 * RUNPATH entries resolve as they are; a program that a launcher or exec shim runs through the
 * bundle's loader is simulated under that loader and its {@code --library-path}. Libraries no
 * program loads are simulated on their own. Then every file is scanned for strings naming the old
 * store, and programs that run with AT_SECURE are listed, as relative mode cannot serve them.
 *
 * <p>Reading only: nothing in the bundle is changed.
 */
public final class BundleVerifier {
    /** Where the bundle's manifest is, relative to its root. */
    public static final String MANIFEST = "closure-wrap.json";
    private static final int HEAD = 64;

    /**
     * @param storeDir the old store directory ({@code /nix/store})
     * @param threads parallel workers for scanning and simulating
     * @param glibcConfigs how the glibc loader at a path searches (normally {@code LoaderProbe::glibc})
     * @param muslConfig how musl loaders search
     */
    public record Options(Path storeDir, int threads, Function<String, GlibcConfig> glibcConfigs,
            MuslConfig muslConfig) {
        public Options {
            if (!storeDir.isAbsolute()) {
                throw new IllegalArgumentException("store dir must be absolute: " + storeDir);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads " + threads);
            }
        }

        /** Debian 12's glibc settings for every glibc loader: nothing of the bundle is run. */
        public static Options defaults(Path storeDir, int threads) {
            return new Options(storeDir, threads, interpreter -> GlibcConfig.debian12(), MuslConfig.x86_64());
        }

        /** Each glibc loader's own settings, from running it with {@code --list-diagnostics}. */
        public static Options probing(Path storeDir, int threads) {
            return new Options(storeDir, threads, dev.closurewrap.graph.LoaderProbe::glibc, MuslConfig.x86_64());
        }
    }

    private final Options options;

    public BundleVerifier(Options options) {
        this.options = options;
    }

    /** Verifies the bundle whose root (holding {@code store/}, or {@code host/} for host programs) is {@code bundle}. */
    public VerifyReport verify(Path bundle) throws IOException {
        if (!Files.isDirectory(bundle)) {
            throw new BadInputException("bundle", bundle.toString(), BadInputException.NO_OFFSET,
                    Files.exists(bundle) ? "not a directory (a tarball? unpack it where it will run, then verify that)"
                            : "no such directory");
        }
        Path root = bundle.toRealPath();
        Path store = root.resolve("store");
        boolean host = false;
        if (!Files.isDirectory(store, LinkOption.NOFOLLOW_LINKS)) {
            store = root.resolve("host");
            host = true;
            if (!Files.isDirectory(store, LinkOption.NOFOLLOW_LINKS)) {
                throw new BadInputException("bundle", bundle.toString(), BadInputException.NO_OFFSET,
                        "no store/ or host/ directory: not a closure-wrap bundle");
            }
        }
        Run run = new Run(root, store, host);
        return run.verify();
    }

    /** One verification: the bundle's files, the file system view, and what was found. */
    private final class Run {
        final Path root;
        final Path store;
        /** A bundle of host programs: {@code host/} mirrors the host's {@code /}. */
        final boolean host;
        final String rootPrefix;
        final String storeString;
        final String oldStorePrefix;
        final HostFileSystem fs = new HostFileSystem();
        final Map<String, ScannedFile.ElfObject> objects = new TreeMap<>();
        final Map<String, BundleLaunchers.RunVia> runVia = new HashMap<>();
        final List<String> notes = new ArrayList<>();

        Run(Path root, Path store, boolean host) {
            this.root = root;
            this.store = store;
            this.host = host;
            this.rootPrefix = LoaderPaths.of(root) + "/";
            this.storeString = LoaderPaths.of(store);
            this.oldStorePrefix = LoaderPaths.of(options.storeDir()) + "/";
        }

        VerifyReport verify() throws IOException {
            List<Path> top = new ArrayList<>(List.of(store));
            Path bin = root.resolve("bin");
            if (Files.isDirectory(bin, LinkOption.NOFOLLOW_LINKS)) {
                top.add(bin);
            }
            List<ScannedFile> files = new Scanner(options.threads()).scan(top);
            for (ScannedFile file : files) {
                if (file instanceof ScannedFile.ElfObject elf && file.path().startsWith(store)) {
                    String canonical = LoaderPaths.of(elf.path().toRealPath());
                    objects.put(canonical, elf);
                    fs.remember(canonical, elf.object());
                } else if (file instanceof ScannedFile.Script script) {
                    readLauncher(script.path());
                } else if (file instanceof ScannedFile.BrokenElf broken) {
                    // The loader refuses it as well: whatever needs it is reported as not found.
                    notes.add(relative(LoaderPaths.of(broken.path())) + ": not a loadable ELF file: " + broken.problem());
                }
            }

            List<ScannedFile.ElfObject> programs = objects.values().stream().filter(o -> isProgram(o.object())).toList();
            List<Traced> traced = ParallelIo.map(options.threads(), programs, this::traceProgram, "tracing programs");
            Set<String> requesters = new HashSet<>();
            traced.forEach(t -> t.trace.resolutions().forEach(r -> requesters.add(r.requester())));
            Map<LoaderFamily, Optional<String>> loaders = defaultLoaders(traced);
            List<ScannedFile.ElfObject> alone = objects.entrySet().stream()
                    .filter(e -> !requesters.contains(e.getKey()))
                    .map(Map.Entry::getValue)
                    .filter(o -> o.object().kind() == ElfKind.SHARED_LIBRARY && !o.object().needed().isEmpty())
                    .filter(o -> o.object().family() == LoaderFamily.GLIBC || o.object().family() == LoaderFamily.MUSL)
                    .toList();
            List<Traced> libraries = ParallelIo.map(options.threads(), alone,
                    o -> traceLibrary(o, loaders.get(o.object().family())), "tracing libraries");

            List<UnresolvedLibrary> unresolved = unresolved(traced, libraries);
            List<InterpreterProblem> interpreters = traced.stream().map(t -> t.interpreterProblem)
                    .flatMap(Optional::stream).sorted(Comparator.comparing(InterpreterProblem::program)).toList();
            List<SecureExecCase> secure = secureExec(traced);
            List<RemainingReference> references = references(files);
            long scanned = files.stream().filter(f -> !(f instanceof ScannedFile.Directory)).count();
            return new VerifyReport(LoaderPaths.display(LoaderPaths.of(root)), options.storeDir().toString(),
                    objects.size(), programs.size(), alone.size(), scanned, unresolved, interpreters, references,
                    secure, notes);
        }

        // ---- launchers and shims ----

        private void readLauncher(Path script) throws IOException {
            byte[] head;
            try (InputStream in = Files.newInputStream(script)) {
                head = in.readNBytes(HEAD);
            }
            if (!BundleLaunchers.looksLikeOne(head)) {
                return;
            }
            Optional<BundleLaunchers.RunVia> via = BundleLaunchers.parse(Files.readAllBytes(script), storeString);
            if (via.isEmpty()) {
                notes.add(relative(LoaderPaths.of(script)) + ": a closure-wrap script whose exec line could not be read");
                return;
            }
            Path program = LoaderPaths.toPath(via.get().program());
            if (Files.exists(program)) {
                runVia.putIfAbsent(LoaderPaths.of(program.toRealPath()), via.get());
            }
        }

        // ---- simulation ----

        /** A simulated start: the trace and, for a program, its interpreter's problem if any. */
        private record Traced(String program, LoadableObject object, boolean isProgram, LoadTrace trace,
                String interpreter, Optional<InterpreterProblem> interpreterProblem) {}

        private Traced traceProgram(ScannedFile.ElfObject program) throws IOException {
            String canonical = LoaderPaths.of(program.path().toRealPath());
            LoadableObject object = program.object();
            String ptInterp = LoaderPaths.of(object.interpreter().orElseThrow());
            BundleLaunchers.RunVia via = runVia.get(canonical);
            String interpreter;
            Optional<InterpreterProblem> problem = Optional.empty();
            List<String> libraryPath = List.of();
            if (via != null && via.loader().isPresent() && fs.exists(via.loader().get())) {
                interpreter = via.loader().get();
                libraryPath = via.libraryPath();
            } else if (inside(ptInterp) && fs.exists(ptInterp)) {
                interpreter = ptInterp;
            } else {
                // Started by its PT_INTERP, which is not in the bundle. The libraries are still
                // simulated under the bundle's copy of that loader, so each finding is its own.
                Location where = locate(ptInterp, fs.exists(ptInterp));
                problem = Optional.of(new InterpreterProblem(relative(canonical), object.interpreter().get(),
                        where == Location.BUNDLE ? Location.NOWHERE : where));
                interpreter = inBundleStore(ptInterp).orElse(ptInterp);
            }
            LoadableObject runAs = withInterpreter(object, interpreter);
            LoadTrace trace = load(canonical, runAs, object.family(), interpreter, libraryPath);
            return new Traced(canonical, object, true, trace, interpreter, problem);
        }

        private Traced traceLibrary(ScannedFile.ElfObject library, Optional<String> loader) throws IOException {
            String canonical = LoaderPaths.of(library.path().toRealPath());
            LoadableObject object = library.object();
            String interpreter = loader.orElse("");
            LoadTrace trace = load(canonical, loader.isPresent() ? withInterpreter(object, interpreter) : object,
                    object.family(), interpreter, List.of());
            return new Traced(canonical, object, false, trace, interpreter, Optional.empty());
        }

        private LoadTrace load(String path, LoadableObject runAs, LoaderFamily family, String interpreter,
                List<String> libraryPath) throws IOException {
            Optional<String> lp = libraryPath.isEmpty() ? Optional.empty() : Optional.of(String.join(":", libraryPath));
            Map<String, LoadableObject> substitute = Map.of(path, runAs);
            if (family == LoaderFamily.MUSL) {
                MuslConfig c = options.muslConfig();
                return new MuslLoader(new MuslConfig(c.arch(), c.defaultPath(), lp.or(c::libraryPath)), fs)
                        .load(path, substitute);
            }
            GlibcConfig config = options.glibcConfigs().apply(interpreter.isEmpty() ? "/lib64/ld-linux-x86-64.so.2"
                    : interpreter);
            if (lp.isPresent()) {
                config = config.withLibraryPath(lp);
            }
            return new GlibcLoader(config, fs).load(path, substitute);
        }

        /** Per family, the loader most programs ran under, else a loader object in the bundle. */
        private Map<LoaderFamily, Optional<String>> defaultLoaders(List<Traced> traced) {
            Map<LoaderFamily, Optional<String>> result = new HashMap<>();
            for (LoaderFamily family : List.of(LoaderFamily.GLIBC, LoaderFamily.MUSL)) {
                Map<String, Integer> counts = new TreeMap<>();
                traced.stream().filter(t -> t.object.family() == family)
                        .forEach(t -> counts.merge(t.interpreter, 1, Integer::sum));
                Optional<String> common = counts.entrySet().stream().max(Map.Entry.comparingByValue())
                        .map(Map.Entry::getKey);
                if (common.isEmpty()) {
                    common = objects.entrySet().stream()
                            .filter(e -> e.getValue().object().kind() == ElfKind.LOADER
                                    && e.getValue().object().family() == family)
                            .map(e -> LoaderPaths.of(e.getValue().path())).findFirst();
                }
                result.put(family, common);
            }
            return result;
        }

        private List<UnresolvedLibrary> unresolved(List<Traced> programs, List<Traced> libraries) {
            Map<String, List<String>> sonames = new HashMap<>();
            objects.forEach((canonical, elf) -> elf.object().soname().ifPresent(
                    s -> sonames.computeIfAbsent(LoaderPaths.of(s), k -> new ArrayList<>()).add(canonical)));
            record Key(String object, ByteString needed, Location location, Optional<String> foundAt) {}
            Map<Key, TreeSet<String>> found = new LinkedHashMap<>();
            List<Traced> all = new ArrayList<>(programs);
            all.addAll(libraries);
            for (Traced t : all) {
                for (Resolution r : t.trace.resolutions()) {
                    if (!inside(r.requester())) {
                        continue; // an object outside the bundle is itself a finding already
                    }
                    Location where = r.target().map(target -> locate(target, true)).orElse(Location.NOWHERE);
                    if (where == Location.BUNDLE) {
                        continue;
                    }
                    if (!t.isProgram && t.object.family() == LoaderFamily.GLIBC
                            && alreadyLoadedByName(r, requesterObject(r.requester()), sonames)) {
                        continue;
                    }
                    Key key = new Key(relative(r.requester()), r.needed(), where,
                            r.target().map(this::displayed));
                    TreeSet<String> names = found.computeIfAbsent(key, k -> new TreeSet<>());
                    if (t.isProgram) {
                        names.add(relative(t.program));
                    }
                }
            }
            List<UnresolvedLibrary> result = new ArrayList<>();
            found.forEach((k, names) -> result.add(new UnresolvedLibrary(k.object, k.needed, k.location, k.foundAt,
                    List.copyOf(names))));
            result.sort(Comparator.comparing(UnresolvedLibrary::object).thenComparing(UnresolvedLibrary::needed));
            return result;
        }

        /**
         * A library no program loads is dlopen()ed into some program. One without any search path
         * of its own (glibc's libm.so.6, libpthread.so.0) relies on that program for what it names
         * by a plain soname (libc.so.6): when exactly one object of the bundle has that soname, it
         * is already loaded there and matched by name without a search. A library with a search
         * path is held to it.
         */
        private boolean alreadyLoadedByName(Resolution r, Optional<LoadableObject> requester,
                Map<String, List<String>> sonames) {
            String name = LoaderPaths.of(r.needed());
            return name.indexOf('/') < 0 && sonames.getOrDefault(name, List.of()).size() == 1
                    && requester.isPresent() && requester.get().runpath().isEmpty()
                    && requester.get().rpath().isEmpty();
        }

        private Optional<LoadableObject> requesterObject(String canonical) {
            return Optional.ofNullable(objects.get(canonical)).map(ScannedFile.ElfObject::object);
        }

        // ---- AT_SECURE ----

        private List<SecureExecCase> secureExec(List<Traced> traced) throws IOException {
            Optional<Map<Path, String>> capabilities = SecureExec.capabilities(root);
            if (capabilities.isEmpty()) {
                notes.add("file capabilities not checked: getcap (Debian package libcap2-bin) is not installed");
            }
            List<SecureExecCase> result = new ArrayList<>();
            for (Traced t : traced) {
                Path file = LoaderPaths.toPath(t.program);
                String name = runName(t.program);
                List<String> reasons = SecureExec.reasons(file, name, capabilities.orElse(Map.of()));
                if (reasons.isEmpty()) {
                    continue;
                }
                boolean inNeeded = false;
                boolean inSearchPath = false;
                List<LoadableObject> loaded = new ArrayList<>();
                loaded.add(t.object);
                for (LoadTrace.Loaded l : t.trace.loadOrder()) {
                    fs.open(l.canonicalPath()).ifPresent(o -> loaded.add(o.object()));
                }
                for (LoadableObject o : loaded) {
                    inNeeded |= o.needed().stream().anyMatch(BundleVerifier::hasOrigin);
                    inSearchPath |= o.runpath().or(o::rpath).filter(BundleVerifier::hasOrigin).isPresent();
                }
                result.add(new SecureExecCase(relative(t.program), reasons, inNeeded, inSearchPath));
            }
            result.sort(Comparator.comparing(SecureExecCase::program));
            return result;
        }

        /** The name a program is run by: the shim's for a real file renamed beside it ({@code .ping-real} → ping). */
        private String runName(String program) {
            String base = LoaderPaths.display(LoaderPaths.basename(program));
            if (base.startsWith(".") && base.contains("-real")) {
                return base.substring(1, base.lastIndexOf("-real"));
            }
            return base;
        }

        // ---- remaining references ----

        private List<RemainingReference> references(List<ScannedFile> files) throws IOException {
            StoreReferenceScanner scanner = new StoreReferenceScanner(
                    ByteString.utf8(options.storeDir().toString()));
            List<ScannedFile> candidates = files.stream()
                    .filter(f -> !(f instanceof ScannedFile.Directory))
                    .filter(f -> !f.path().equals(root.resolve(MANIFEST)))
                    .toList();
            List<List<RemainingReference>> perFile = ParallelIo.map(options.threads(), candidates, f -> referencesIn(f, scanner),
                    "scanning for store references");
            List<RemainingReference> all = new ArrayList<>();
            perFile.forEach(all::addAll);
            all.sort(Comparator.comparing(RemainingReference::file).thenComparingLong(RemainingReference::offset));
            return all;
        }

        private List<RemainingReference> referencesIn(ScannedFile file, StoreReferenceScanner scanner)
                throws IOException {
            String name = relative(LoaderPaths.of(file.path()));
            if (file instanceof ScannedFile.Symlink link) {
                return scanner.scan(link.target().toByteArray()).stream()
                        .map(r -> new RemainingReference(name, r.offset(), r.path(), Optional.empty(), true, false))
                        .toList();
            }
            List<StoreReference> found;
            try (InputStream in = Files.newInputStream(file.path(), LinkOption.NOFOLLOW_LINKS)) {
                found = scanner.scan(in);
            }
            if (found.isEmpty()) {
                return List.of();
            }
            List<SectionHeader> sections = List.of();
            if (file instanceof ScannedFile.ElfObject) {
                try {
                    sections = ElfFile.open(file.path()).sectionHeaders();
                } catch (BadInputException | UnsupportedInputException e) {
                    sections = List.of();
                }
            }
            boolean shimmed = false;
            if (file instanceof ScannedFile.ElfObject) {
                BundleLaunchers.RunVia via = runVia.get(LoaderPaths.of(file.path().toRealPath()));
                shimmed = via != null && via.loader().isPresent();
            }
            List<RemainingReference> result = new ArrayList<>();
            for (StoreReference r : found) {
                Optional<String> section = sectionAt(sections, r.offset());
                result.add(new RemainingReference(name, r.offset(), r.path(), section, false,
                        shimmed && section.equals(Optional.of(".interp"))));
            }
            return result;
        }

        // ---- paths ----

        private boolean inside(String path) {
            return path.startsWith(rootPrefix);
        }

        /** Where a path lies; {@code exists} false makes it {@link Location#NOWHERE}. */
        private Location locate(String path, boolean exists) {
            if (!exists) {
                return Location.NOWHERE;
            }
            if (inside(path)) {
                return Location.BUNDLE;
            }
            return path.startsWith(oldStorePrefix) ? Location.OLD_STORE : Location.HOST;
        }

        /** The bundle's copy of an old-store path (host bundles: of a host path), if the bundle has it. */
        private Optional<String> inBundleStore(String path) {
            if (host && path.startsWith("/")) {
                String copy = storeString + path;
                return fs.exists(copy) ? Optional.of(copy) : Optional.empty();
            }
            if (!path.startsWith(oldStorePrefix)) {
                return Optional.empty();
            }
            String copy = storeString + "/" + path.substring(oldStorePrefix.length());
            return fs.exists(copy) ? Optional.of(copy) : Optional.empty();
        }

        /** Relative to the bundle root when inside it, else as is; for people (UTF-8 decoded). */
        private String relative(String loaderPath) {
            return LoaderPaths.display(inside(loaderPath) ? loaderPath.substring(rootPrefix.length()) : loaderPath);
        }

        private String displayed(String loaderPath) {
            return LoaderPaths.display(loaderPath);
        }

    }

    private static boolean isProgram(LoadableObject object) {
        return (object.kind() == ElfKind.DYNAMIC_EXECUTABLE || object.kind() == ElfKind.PIE_EXECUTABLE)
                && object.interpreter().isPresent()
                && (object.family() == LoaderFamily.GLIBC || object.family() == LoaderFamily.MUSL);
    }

    private static LoadableObject withInterpreter(LoadableObject o, String interpreter) {
        return new LoadableObject(o.kind(), o.family(), o.elfClass(), o.machine(),
                Optional.of(LoaderPaths.bytes(interpreter)), o.needed(), o.soname(), o.rpath(), o.runpath(),
                o.noDefaultLib());
    }

    static boolean hasOrigin(ByteString s) {
        String text = new String(s.toByteArray(), StandardCharsets.ISO_8859_1);
        return text.contains("$ORIGIN") || text.contains("${ORIGIN}");
    }

    private static Optional<String> sectionAt(List<SectionHeader> sections, long offset) {
        for (SectionHeader s : sections) {
            if (s.hasFileImage() && s.size() > 0 && offset >= s.offset() && offset - s.offset() < s.size()
                    && s.name().length() > 0) {
                return Optional.of(s.name().toString());
            }
        }
        return Optional.empty();
    }
}
