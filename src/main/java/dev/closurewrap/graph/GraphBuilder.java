package dev.closurewrap.graph;

import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ParallelIo;
import dev.closurewrap.store.Closure;
import dev.closurewrap.store.ClosureItem;
import dev.closurewrap.store.ReferenceFinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Builds the {@link DependencyGraph} of a closure: scans every file, runs each program's own
 * loader model (glibc or musl, configured by asking the program's interpreter), predicts the
 * lookups after each rewrite, and models the libraries no program loads as if loaded directly.
 * For host files, every library the loader finds joins the closure, as {@code ldd} would list it.
 */
public final class GraphBuilder {
    private static final String HOST_LOADER = "/lib64/ld-linux-x86-64.so.2";

    private final int threads;
    private final Function<String, GlibcConfig> glibcConfigs;
    private final MuslConfig muslConfig;
    private final Scanner scanner;

    public GraphBuilder(int threads) {
        this(threads, LoaderProbe::glibc, MuslConfig.x86_64());
    }

    public GraphBuilder(int threads, Function<String, GlibcConfig> glibcConfigs, MuslConfig muslConfig) {
        this.threads = threads;
        this.glibcConfigs = glibcConfigs;
        this.muslConfig = muslConfig;
        this.scanner = new Scanner(threads);
    }

    /**
     * The reference finder to give a {@link dev.closurewrap.store.StoreDirSource} whose closure this
     * builder will build: the scan that finds the references also classifies the files, so
     * {@link #build} does not read them again.
     */
    public ReferenceFinder referenceFinder() {
        return scanner;
    }

    public DependencyGraph build(Closure closure) throws IOException {
        return build(closure, scanner.scan(closure.paths()));
    }

    /** The graph of {@code closure} whose files the caller has already scanned ({@link Scanner#scan} of its paths). */
    public DependencyGraph build(Closure closure, List<ScannedFile> scanned) throws IOException {
        List<ScannedFile> files = new ArrayList<>(scanned);
        View view = View.of(closure);
        FileSystemView fs = view.fs;
        Map<String, ScannedFile.ElfObject> objects = new TreeMap<>();
        addObjects(files, objects, view);

        boolean host = closure.storeDir().isEmpty();
        Set<Path> members = new LinkedHashSet<>(closure.paths());
        Predicate<String> inside = host ? p -> true
                : p -> closure.itemOf(LoaderPaths.toPath(view.physical(p))).isPresent();

        List<ScannedFile.ElfObject> programFiles = objects.values().stream()
                .filter(o -> isProgram(o.object())).toList();
        List<Traced> traced = ParallelIo.map(threads, programFiles, o -> trace(o, view, inside, objects),
                "tracing programs");

        if (host) {
            // The libraries the host loader finds are the rest of the closure.
            List<Path> found = new ArrayList<>();
            for (Traced t : traced) {
                for (LoadTrace.Loaded loaded : t.trace.loadOrder()) {
                    if (!objects.containsKey(loaded.canonicalPath())) {
                        found.add(LoaderPaths.toPath(loaded.canonicalPath()));
                    }
                }
            }
            List<ScannedFile> more = scanner.scan(found.stream().distinct().toList());
            files.addAll(more);
            addObjects(more, objects, view);
            members.addAll(found);
        }

        // Libraries no program loads: model them as loaded directly, under the closure's loader.
        Set<String> requesters = new HashSet<>();
        traced.forEach(t -> t.trace.resolutions().forEach(r -> requesters.add(r.requester())));
        Map<String, ScannedFile.ElfObject> libraries = new TreeMap<>();
        objects.forEach((canonical, o) -> {
            if (!requesters.contains(canonical) && o.object().kind() == ElfKind.SHARED_LIBRARY
                    && !o.object().needed().isEmpty()
                    && (o.object().family() == LoaderFamily.GLIBC || o.object().family() == LoaderFamily.MUSL)) {
                libraries.put(canonical, o);
            }
        });
        Map<LoaderFamily, Optional<String>> loaders = defaultInterpreters(programFiles, objects);
        List<LoadTrace> libraryTraces = ParallelIo.map(threads, List.copyOf(libraries.entrySet()), e -> {
            LoadableObject object = e.getValue().object();
            Optional<String> interp = loaders.get(object.family());
            return object.family() == LoaderFamily.MUSL
                    ? new MuslLoader(muslConfig, fs).load(e.getKey(), Map.of(), interp)
                    : glibcLoader(interp.orElse(HOST_LOADER), view).load(e.getKey(), Map.of(), interp);
        }, "tracing libraries");

        return assemble(closure, view, files, objects, members, traced, libraryTraces, inside);
    }

    /**
     * The file system the loaders see, and the mapping between the store the closure was built
     * for and where its files are (the same, unless restored from an archive).
     */
    private record View(FileSystemView fs, UnaryOperator<String> toLogical, UnaryOperator<String> toPhysical,
            boolean restored, Map<String, GlibcLoader> glibcLoaders) {
        static View of(Closure closure) {
            if (closure.storeDir().isPresent() && !closure.builtFor().equals(closure.storeDir())) {
                RedirectedFileSystem fs = new RedirectedFileSystem(closure.builtFor().get().toString(),
                        closure.storeDir().get().toString());
                return new View(fs, fs::logical, fs::physical, true, new ConcurrentHashMap<>());
            }
            return new View(new HostFileSystem(), p -> p, p -> p, false, new ConcurrentHashMap<>());
        }

        String logical(String physicalPath) {
            return toLogical.apply(physicalPath);
        }

        String logical(Path physicalPath) {
            return toLogical.apply(LoaderPaths.of(physicalPath));
        }

        Path logicalPath(Path physicalPath) {
            return LoaderPaths.toPath(logical(physicalPath));
        }

        String physical(String logicalPath) {
            return toPhysical.apply(logicalPath);
        }
    }

    private static void addObjects(List<ScannedFile> files, Map<String, ScannedFile.ElfObject> objects, View view)
            throws IOException {
        for (ScannedFile file : files) {
            if (file instanceof ScannedFile.ElfObject elf && isNode(elf.object().kind())) {
                String logical = view.logical(elf.path());
                String canonical = view.fs().canonical(logical).orElse(logical);
                objects.put(canonical, elf);
                view.fs().remember(canonical, elf.object());
            }
        }
    }

    static boolean isNode(ElfKind kind) {
        return switch (kind) {
            case DYNAMIC_EXECUTABLE, PIE_EXECUTABLE, SHARED_LIBRARY, STATIC_EXECUTABLE, STATIC_PIE, LOADER -> true;
            default -> false;
        };
    }

    static boolean isProgram(LoadableObject object) {
        return (object.kind() == ElfKind.DYNAMIC_EXECUTABLE || object.kind() == ElfKind.PIE_EXECUTABLE)
                && (object.family() == LoaderFamily.GLIBC || object.family() == LoaderFamily.MUSL);
    }

    private record Traced(ScannedFile.ElfObject program, String path, String interpreter, LoadTrace trace,
            DependencyGraph.Lookups lookups) {}

    private Traced trace(ScannedFile.ElfObject program, View view, Predicate<String> inside,
            Map<String, ScannedFile.ElfObject> objects) throws IOException {
        FileSystemView fs = view.fs();
        String path = view.logical(program.path());
        String interp = program.object().interpreter().map(LoaderPaths::of).orElse("");
        LoaderFamily family = program.object().family();
        Loader loader = family == LoaderFamily.MUSL ? new MuslLoader(muslConfig, fs)::load
                : glibcLoader(interp, view)::load;
        LoadTrace trace = loader.load(path, Map.of());
        // The objects of this start: from the scan, or (host libraries not scanned yet) from the file system.
        Map<String, LoadableObject> known = new HashMap<>();
        String canonical = fs.canonical(path).orElse(path);
        known.put(canonical, program.object());
        for (LoadTrace.Loaded loaded : trace.loadOrder()) {
            ScannedFile.ElfObject scanned = objects.get(loaded.canonicalPath());
            if (scanned != null) {
                known.put(loaded.canonicalPath(), scanned.object());
            } else {
                fs.open(loaded.canonicalPath()).ifPresent(o -> known.put(loaded.canonicalPath(), o.object()));
            }
        }
        int relative = loader.load(path, RewritePrediction.substitute(trace, known, canonical, family,
                RewritePrediction.Mode.RELATIVE, inside)).failedLookupCount();
        int absolute = loader.load(path, RewritePrediction.substitute(trace, known, canonical, family,
                RewritePrediction.Mode.ABSOLUTE, inside)).failedLookupCount();
        return new Traced(program, path, interp, trace,
                new DependencyGraph.Lookups(trace.failedLookupCount(), relative, absolute));
    }

    /**
     * The loader of {@code interpreter}, configured by asking the interpreter where it is. A closure
     * restored from an archive is never run, not even its loader: the host's loader answers instead.
     */
    private GlibcLoader glibcLoader(String interpreter, View view) {
        // One loader per interpreter and build, so each reads its ld.so.cache once.
        return view.glibcLoaders().computeIfAbsent(interpreter, i -> new GlibcLoader(
                glibcConfigs.apply(view.restored() ? HOST_LOADER : view.physical(i)), view.fs()));
    }

    @FunctionalInterface
    private interface Loader {
        LoadTrace load(String program, Map<String, LoadableObject> substitute) throws IOException;
    }

    /** Per family, the interpreter most of the closure's programs use, else the closure's own loader. */
    private static Map<LoaderFamily, Optional<String>> defaultInterpreters(List<ScannedFile.ElfObject> programs,
            Map<String, ScannedFile.ElfObject> objects) {
        Map<LoaderFamily, Optional<String>> result = new HashMap<>();
        for (LoaderFamily family : List.of(LoaderFamily.GLIBC, LoaderFamily.MUSL)) {
            Optional<String> common = programs.stream()
                    .filter(p -> p.object().family() == family && p.object().interpreter().isPresent())
                    .collect(Collectors.groupingBy(p -> LoaderPaths.of(p.object().interpreter().get()),
                            TreeMap::new, Collectors.counting()))
                    .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
            if (common.isEmpty()) {
                common = objects.entrySet().stream()
                        .filter(e -> e.getValue().object().kind() == ElfKind.LOADER
                                && e.getValue().object().family() == family)
                        .map(Map.Entry::getKey).findFirst();
            }
            result.put(family, common);
        }
        return result;
    }

    private DependencyGraph assemble(Closure closure, View view, List<ScannedFile> files,
            Map<String, ScannedFile.ElfObject> objects, Set<Path> members, List<Traced> traced,
            List<LoadTrace> libraryTraces, Predicate<String> inside) {
        Map<Path, ClosureItem> items = new HashMap<>();
        closure.items().forEach(i -> items.put(i.path(), i));
        List<Path> memberList = members.stream().sorted().toList();

        Map<Path, Path> memberIndex = new HashMap<>();
        memberList.forEach(m -> memberIndex.put(m, m));
        List<DependencyGraph.ObjectNode> nodes = new ArrayList<>();
        objects.forEach((canonical, elf) -> nodes.add(new DependencyGraph.ObjectNode(canonical,
                memberOf(memberIndex, elf.path()).map(view::logicalPath), elf.object(), elf.sha256())));

        Map<List<Object>, DependencyGraph.Edge> edges = new LinkedHashMap<>();
        Map<List<Object>, LinkedHashSet<String>> unresolved = new LinkedHashMap<>();
        List<LoadTrace> all = new ArrayList<>();
        traced.forEach(t -> all.add(t.trace));
        all.addAll(libraryTraces);
        Set<LoadTrace> programTraces = Collections.newSetFromMap(new IdentityHashMap<>());
        traced.forEach(t -> programTraces.add(t.trace));
        Map<String, List<String>> sonames = new HashMap<>();
        objects.forEach((canonical, elf) -> elf.object().soname().ifPresent(
                s -> sonames.computeIfAbsent(LoaderPaths.of(s), k -> new ArrayList<>()).add(canonical)));
        for (LoadTrace trace : all) {
            boolean isProgram = programTraces.contains(trace);
            for (Resolution found : trace.resolutions()) {
                Resolution r = found;
                if (!isProgram && !(r.resolved() && inside.test(r.target().get()))) {
                    // A library no program loads is dlopen()ed by one: what it cannot find alone but an
                    // object of the closure is called (libc.so.6 in every glibc program) is already loaded.
                    List<String> named = sonames.getOrDefault(LoaderPaths.of(r.needed()), List.of());
                    if (named.size() == 1) {
                        r = new Resolution(r.requester(), r.needed(), Optional.of(named.get(0)),
                                Optional.of(named.get(0)), How.ALREADY_LOADED, Optional.empty());
                    }
                }
                boolean in = r.resolved() && inside.test(r.target().get());
                List<Object> key = List.of(r.requester(), r.needed(), r.target(), r.how(), r.directory());
                edges.putIfAbsent(key, new DependencyGraph.Edge(r.requester(), r.needed(), r.target(), r.how(),
                        r.directory(), in));
                if (!in) {
                    LinkedHashSet<String> programs = unresolved.computeIfAbsent(
                            List.of(r.requester(), r.needed(), r.target()), k -> new LinkedHashSet<>());
                    if (isProgram) {
                        programs.add(trace.program());
                    }
                }
            }
        }
        List<DependencyGraph.Unresolved> unresolvedList = new ArrayList<>();
        unresolved.forEach((key, programs) -> {
            @SuppressWarnings("unchecked")
            Optional<String> target = (Optional<String>) key.get(2);
            unresolvedList.add(new DependencyGraph.Unresolved((String) key.get(0),
                    (dev.closurewrap.io.ByteString) key.get(1), target, List.copyOf(programs)));
        });

        List<DependencyGraph.Program> programs = new ArrayList<>();
        for (Traced t : traced) {
            programs.add(new DependencyGraph.Program(t.path, t.program.object().family(),
                    t.interpreter, t.trace.loadOrder().stream().map(LoadTrace.Loaded::canonicalPath).toList(),
                    t.lookups));
        }
        programs.sort(Comparator.comparing(DependencyGraph.Program::path));

        Map<Path, Integer> fileCounts = new HashMap<>();
        Map<Path, Integer> elfCounts = new HashMap<>();
        Map<Path, Path> memberOfFile = new HashMap<>();
        memberList.forEach(m -> memberOfFile.put(m, m));
        for (ScannedFile f : files) {
            memberOf(memberOfFile, f.path()).ifPresent(m -> fileCounts.merge(m, 1, Integer::sum));
        }
        objects.values().forEach(o -> memberOf(memberIndex, o.path()).ifPresent(m -> elfCounts.merge(m, 1, Integer::sum)));
        List<DependencyGraph.Member> memberNodes = new ArrayList<>();
        for (Path member : memberList) {
            int fileCount = fileCounts.getOrDefault(member, 0);
            int elfCount = elfCounts.getOrDefault(member, 0);
            ClosureItem item = items.get(member);
            Set<Path> refs = new TreeSet<>();
            if (item != null) {
                item.references().forEach(r -> refs.add(view.logicalPath(r)));
            }
            memberNodes.add(new DependencyGraph.Member(view.logicalPath(member), refs, fileCount, elfCount));
        }
        List<ScannedFile.Script> scripts = files.stream().filter(f -> f instanceof ScannedFile.Script)
                .map(f -> (ScannedFile.Script) f)
                .map(s -> new ScannedFile.Script(view.logicalPath(s.path()), s.size(), s.sha256(), s.executable(),
                        s.interpreter(), s.argument()))
                .toList();
        List<ScannedFile.Symlink> symlinks = files.stream().filter(f -> f instanceof ScannedFile.Symlink)
                .map(f -> (ScannedFile.Symlink) f)
                .map(s -> new ScannedFile.Symlink(view.logicalPath(s.path()), s.target()))
                .toList();
        List<ScannedFile.BrokenElf> broken = files.stream().filter(f -> f instanceof ScannedFile.BrokenElf)
                .map(f -> (ScannedFile.BrokenElf) f).toList();
        List<Path> roots = closure.roots().stream().map(view::logicalPath).toList();
        return new DependencyGraph(closure.builtFor(), roots, closure.origin(), memberNodes, nodes,
                List.copyOf(edges.values()), unresolvedList, programs, scripts, symlinks, broken, files.size());
    }

    /** The member holding {@code file}: the file itself or its nearest parent that is one. */
    private static Optional<Path> memberOf(Map<Path, Path> members, Path file) {
        for (Path p = file; p != null; p = p.getParent()) {
            if (members.containsKey(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
