package dev.closurewrap.plan;

import static dev.closurewrap.io.BytePaths.components;
import static dev.closurewrap.io.BytePaths.join;
import static dev.closurewrap.io.BytePaths.relative;

import dev.closurewrap.elf.ElfConstants;
import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.elf.SearchPathTag;
import dev.closurewrap.elf.VersionNeed;
import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.How;
import dev.closurewrap.graph.LoadableObject;
import dev.closurewrap.graph.LoaderPaths;
import dev.closurewrap.graph.ScannedFile;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.store.Closure;
import dev.closurewrap.store.ClosureItem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Makes a {@link JobPlan} from a closure, its scanned files and its dependency graph, following the
 * rules of design README §4 and facts.md (docs/wrap.md says them per mode). A closure of host files
 * (no store directory) is planned the same way, as a store whose directory is {@code /}: each file
 * keeps its host path below {@code host/} ({@link Tree#HOST}). Reads no file content
 * except scripts and text files (to list the store paths they name), the bundled loaders (to see
 * whether they take {@code --argv0}) and the version needs of the rare object whose library has no
 * matching soname.
 */
public final class Planner {
    /** The reason of a {@link Action.Copy} for files that match an {@code exclude} pattern. */
    public static final String EXCLUDED = "excluded by configuration";
    static final String NO_CHANGE = "needs no change";

    private static final ByteString ORIGIN = ByteString.utf8("$ORIGIN");
    /** Text files are read whole to list their store references; bigger ones are left alone. */
    private static final long MAX_TEXT = 16L * 1024 * 1024;

    /**
     * @param mode the rewrite
     * @param prefix absolute mode: where the store paths sit at run time; empty for the store itself
     * @param excluded store-path-relative paths ({@code lib/foo.debug}) never to be edited
     * @param nativeMachine e_machine of the programs this machine runs (other machines are copied)
     * @param inPlace absolute mode on a writable directory outside the store: only its files are
     *     planned (targets relative to it), and its libraries are named by their paths in it
     */
    public record Options(Mode mode, Optional<Path> prefix, Predicate<String> excluded, int nativeMachine,
                          Optional<Path> inPlace) {
        public Options(Mode mode, Optional<Path> prefix, Predicate<String> excluded, int nativeMachine) {
            this(mode, prefix, excluded, nativeMachine, Optional.empty());
        }

        public Options {
            java.util.Objects.requireNonNull(inPlace, "inPlace");
            if (inPlace.isPresent() && mode != Mode.ABSOLUTE) {
                throw new IllegalArgumentException("only absolute mode works in place");
            }
            java.util.Objects.requireNonNull(mode, "mode");
            java.util.Objects.requireNonNull(prefix, "prefix");
            java.util.Objects.requireNonNull(excluded, "excluded");
            if (prefix.isPresent() && !prefix.get().isAbsolute()) {
                throw new IllegalArgumentException("prefix must be absolute: " + prefix.get());
            }
        }
    }

    /** The e_machine of the running JVM's architecture. */
    public static int hostMachine() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> ElfConstants.EM_X86_64;
            case "aarch64", "arm64" -> ElfConstants.EM_AARCH64;
            case "x86", "i386", "i686" -> ElfConstants.EM_386;
            default -> ElfConstants.EM_X86_64;
        };
    }

    private final Closure closure;
    private final List<ScannedFile> files;
    private final DependencyGraph graph;
    private final Options options;
    /** Host programs ({@code /usr/bin/curl}): the bundle's tree mirrors the host's {@code /}. */
    private final boolean host;
    /** {@code store/} or {@code host/}: where the tree sits in the output. */
    private final ByteString treePrefix;
    /** Host mode: every bundled file and every directory above one, below {@code /} ({@code usr/lib}). */
    private final Set<ByteString> hostBundled = new HashSet<>();
    /** Where the store paths' files are now ({@code /} for host programs). */
    private final Path storeDir;
    /** The store the files were built for, which the paths inside them name (the same unless restored from an archive). */
    private final Path logicalStore;
    private final ByteString storeDirBytes;
    private final Set<ByteString> bundled = new TreeSet<>();
    private final Map<String, DependencyGraph.ObjectNode> objects = new HashMap<>();
    private final Map<String, List<DependencyGraph.Edge>> edgesFrom = new HashMap<>();
    private final Map<Path, ScannedFile> scanned = new HashMap<>();
    /** Canonical object path → where its bytes go, below the output's store directory. */
    private final Map<String, ByteString> location = new HashMap<>();
    private final Map<ByteString, Action.Loader> loaders = new HashMap<>();
    private final Map<ByteString, String> problems = new TreeMap<>();
    private final List<String> notes = new ArrayList<>();

    private Planner(Closure closure, List<ScannedFile> files, DependencyGraph graph, Options options)
            throws UnsupportedInputException {
        this.closure = closure;
        this.files = files;
        this.graph = graph;
        this.options = options;
        this.host = closure.storeDir().isEmpty();
        this.treePrefix = ByteString.utf8((host ? Tree.HOST : Tree.STORE).directory() + "/");
        this.storeDir = closure.storeDir().orElse(Path.of("/"));
        this.logicalStore = closure.builtFor().orElse(storeDir);
        this.storeDirBytes = bytes(logicalStore);
        if (host && options.inPlace().isPresent()) {
            throw new UnsupportedInputException(String.valueOf(closure.roots()), "host programs cannot be edited in place");
        }
        for (ClosureItem item : closure.items()) {
            if (host) {
                for (Path p = item.path(); p != null && p.getNameCount() > 0; p = p.getParent()) {
                    hostBundled.add(storeRelative(p));
                }
            } else {
                bundled.add(ByteString.utf8(item.path().getFileName().toString()));
            }
        }
        graph.objects().forEach(o -> objects.put(o.path(), o));
        graph.edges().forEach(e -> edgesFrom.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e));
        files.forEach(f -> scanned.put(f.path(), f));
    }

    /** The plan for every file of {@code closure} ({@code files} as the scan gave them). */
    public static JobPlan plan(Closure closure, List<ScannedFile> files, DependencyGraph graph, Options options)
            throws IOException {
        return new Planner(closure, files, graph, options).plan();
    }

    private JobPlan plan() throws IOException {
        List<FilePlan> plans = new ArrayList<>();
        Set<ScannedFile.ElfObject> shimmed = new HashSet<>();
        if (options.mode() == Mode.RELATIVE) {
            chooseShims(shimmed);
        }
        for (ScannedFile file : files) {
            if (closure.itemOf(file.path()).isEmpty() || options.inPlace().isPresent()
                    && (!inPlace(file.path()) || file.path().equals(options.inPlace().get()))) {
                continue;
            }
            plans.addAll(planFile(file, shimmed.contains(file)));
        }
        if (options.mode() == Mode.RELATIVE) {
            plans.addAll(launchers(plans));
        }
        for (DependencyGraph.Unresolved u : graph.unresolved()) {
            notes.add("unresolved: " + display(u.object()) + " needs " + u.needed()
                    + u.foundAt().map(f -> " (found outside the closure at " + display(f) + ")").orElse(" (not found)"));
        }
        return new JobPlan(options.mode(), host ? Tree.HOST : Tree.STORE, logicalStore, options.prefix(), plans,
                problems, notes);
    }

    // ---------------------------------------------------------------- relative mode: who gets a shim

    /**
     * Every dynamically linked executable whose loader is in the bundle is renamed beside its old
     * name ({@code .curl-real}); the old name becomes its exec shim. Names are chosen per directory,
     * in path order, so a run gives the same names whatever the scan order.
     */
    private void chooseShims(Set<ScannedFile.ElfObject> shimmed) throws IOException {
        Map<Path, Set<ByteString>> siblings = new HashMap<>();
        for (ScannedFile f : files) {
            if (f.path().getParent() != null) {
                siblings.computeIfAbsent(f.path().getParent(), k -> new HashSet<>())
                        .add(ByteString.utf8(f.path().getFileName().toString()));
            }
        }
        for (ScannedFile f : files) {
            if (!(f instanceof ScannedFile.ElfObject elf) || !isShimmable(elf)) {
                continue;
            }
            Optional<Action.Loader> loader = bundledLoader(elf.object());
            if (loader.isEmpty()) {
                notes.add("no exec shim for " + target(f.path()) + ": its loader "
                        + elf.object().interpreter().orElse(ByteString.EMPTY) + " is not in the bundle");
                continue;
            }
            warnIfSetuid(elf.path());
            Set<ByteString> names = siblings.get(elf.path().getParent());
            ByteString real = realFileName(ByteString.utf8(elf.path().getFileName().toString()), names);
            names.add(real);
            ByteString here = storeRelative(elf.path());
            location.put(canonical(elf.path()), parent(here).concat(ByteString.utf8("/")).concat(real));
            shimmed.add(elf);
        }
    }

    private boolean isShimmable(ScannedFile.ElfObject elf) {
        LoadableObject o = elf.object();
        return (o.kind() == ElfKind.DYNAMIC_EXECUTABLE || o.kind() == ElfKind.PIE_EXECUTABLE)
                && (o.family() == LoaderFamily.GLIBC || o.family() == LoaderFamily.MUSL)
                && o.interpreter().isPresent() && isNative(o) && !excluded(elf.path());
    }

    /** {@code .<name>-real}, numbered on a clash, as {@code rewrite.BundleScripts#realFileName} documents. */
    static ByteString realFileName(ByteString program, Set<ByteString> siblings) {
        ByteString base = ByteString.utf8(".").concat(program).concat(ByteString.utf8("-real"));
        for (int n = 1; ; n++) {
            ByteString candidate = n == 1 ? base : base.concat(ByteString.utf8("-" + n));
            if (candidate.length() > 255) {
                candidate = ByteString.utf8(".closure-wrap-real-" + n);
            }
            if (!siblings.contains(candidate)) {
                return candidate;
            }
        }
    }

    private void warnIfSetuid(Path file) {
        try {
            Object mode = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (mode instanceof Integer m && (m & 06000) != 0) {
                notes.add("setuid/setgid: " + file + " runs with AT_SECURE, where glibc ignores $ORIGIN: "
                        + "relative mode cannot work for it; use --absolute");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // No mode to read: nothing to warn about.
        }
    }

    /** The program's interpreter as a bundled file, and whether that loader takes {@code --argv0}. */
    private Optional<Action.Loader> bundledLoader(LoadableObject program) throws IOException {
        ByteString interp = program.interpreter().orElseThrow();
        Optional<ByteString> inStore = bundledPath(interp);
        if (inStore.isEmpty()) {
            return Optional.empty();
        }
        Action.Loader known = loaders.get(inStore.get());
        if (known != null) {
            return Optional.of(known);
        }
        Path file = storeDir.resolve(inStore.get().utf8());
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        boolean musl = program.family() == LoaderFamily.MUSL;
        // glibc takes --argv0 since 2.33, and its help text names the option; musl's loader always did.
        boolean argv0 = musl || contains(file, ByteString.utf8("--argv0"));
        Action.Loader loader = new Action.Loader(inStore.get(), musl ? LoaderFamily.MUSL : LoaderFamily.GLIBC, argv0);
        loaders.put(inStore.get(), loader);
        return Optional.of(loader);
    }

    // ---------------------------------------------------------------- one file

    private List<FilePlan> planFile(ScannedFile file, boolean shim) throws IOException {
        ByteString target = target(file.path());
        if (file instanceof ScannedFile.Directory) {
            return List.of(new FilePlan(target, Optional.empty(), Optional.empty(), 0, false, new Action.Directory()));
        }
        if (file instanceof ScannedFile.Symlink link) {
            return List.of(new FilePlan(target, Optional.empty(), Optional.empty(), 0, false,
                    new Action.Symlink(symlinkTarget(file.path(), link.target()))));
        }
        if (file instanceof ScannedFile.ElfObject elf) {
            return planElf(elf, target, shim);
        }
        if (file instanceof ScannedFile.BrokenElf broken) {
            problems.put(target, "not rewritten: " + broken.problem());
            return List.of(copy(file.path(), target, broken.sha256(), broken.size(), Files.isExecutable(file.path()),
                    "unreadable ELF file: " + broken.problem()));
        }
        if (file instanceof ScannedFile.Script script) {
            return List.of(planScript(script, target));
        }
        ScannedFile.Regular regular = (ScannedFile.Regular) file;
        if (excluded(file.path())) {
            return List.of(copy(file.path(), target, regular.sha256(), regular.size(), regular.executable(), EXCLUDED));
        }
        if (prefixingText() && regular.size() <= MAX_TEXT) {
            Optional<Action> text = prefixText(file.path());
            if (text.isPresent()) {
                return List.of(new FilePlan(target, Optional.of(file.path()), Optional.of(regular.sha256()),
                        regular.size(), regular.executable(), text.get()));
            }
        }
        return List.of(copy(file.path(), target, regular.sha256(), regular.size(), regular.executable(), "not ELF"));
    }

    private FilePlan planScript(ScannedFile.Script script, ByteString target) throws IOException {
        Path path = script.path();
        if (excluded(path)) {
            return copy(path, target, script.sha256(), script.size(), script.executable(), EXCLUDED);
        }
        Action action = null;
        if (!host && options.mode() == Mode.RELATIVE && belowStore(script.interpreter()).isPresent()) {
            action = new Action.RelocateScript(storeRelative(path), storeDirBytes, referencedBundled(path));
        } else if (prefixingText() && script.size() <= MAX_TEXT) {
            action = prefixText(path).orElse(null);
        }
        if (action == null) {
            return copy(path, target, script.sha256(), script.size(), script.executable(),
                    "script: no store interpreter or store path to rewrite");
        }
        return new FilePlan(target, Optional.of(path), Optional.of(script.sha256()), script.size(), script.executable(),
                action);
    }

    private boolean prefixing() {
        return options.mode() == Mode.ABSOLUTE && options.prefix().isPresent() && !options.prefix().get().equals(logicalStore);
    }

    /** Text naming store paths is moved under the prefix; host files name no store. */
    private boolean prefixingText() {
        return !host && prefixing();
    }

    private Optional<Action> prefixText(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        for (byte b : content) {
            if (b == 0) {
                return Optional.empty();
            }
        }
        SortedNames names = referencedBundled(content);
        if (names.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Action.PrefixText(storeDirBytes, bytes(options.prefix().get()), names));
    }

    private ByteString symlinkTarget(Path link, ByteString target) {
        if (host) {
            return hostSymlinkTarget(link, target);
        }
        Optional<ByteString> inStore = belowStore(target);
        if (inStore.isEmpty() || inStore.get().length() == 0 || !bundled.contains(firstComponent(inStore.get()))) {
            return target; // relative, outside the store, or into a store path the bundle lacks: as it is
        }
        if (options.mode() == Mode.ABSOLUTE) {
            return prefixing() ? bytes(options.prefix().get()).concat(ByteString.utf8("/")).concat(inStore.get()) : target;
        }
        List<ByteString> from = components(storeRelative(link));
        from.remove(from.size() - 1);
        return relative(from, components(inStore.get()));
    }

    /**
     * Host mode: a link (a soname link, a root given by a link) leads straight to its real file's
     * copy, relative, so it works wherever the bundle goes; the host's chain of links
     * ({@code /etc/alternatives}, {@code /lib} → {@code usr/lib}) is not kept.
     */
    private ByteString hostSymlinkTarget(Path link, ByteString target) {
        try {
            Path real = link.toRealPath();
            if (closure.itemOf(real).isPresent()) {
                List<ByteString> from = components(storeRelative(link));
                from.remove(from.size() - 1);
                return relative(from, components(storeRelative(real)));
            }
        } catch (IOException e) {
            // Leads nowhere on the host: kept as it is.
        }
        return target;
    }

    // ---------------------------------------------------------------- ELF objects

    private List<FilePlan> planElf(ScannedFile.ElfObject elf, ByteString target, boolean shim) throws IOException {
        Path path = elf.path();
        if (excluded(path)) {
            return List.of(copy(path, target, elf.sha256(), elf.size(), elf.executable(), EXCLUDED));
        }
        LoadableObject o = elf.object();
        Optional<String> never = neverEdited(o);
        if (never.isPresent()) {
            return List.of(copy(path, target, elf.sha256(), elf.size(), elf.executable(), never.get()));
        }
        String canonical = canonical(path);
        List<ElfEdit> edits = options.mode() == Mode.RELATIVE ? relativeEdits(canonical, o) : absoluteEdits(canonical, o);
        ByteString realTarget = shim ? treePrefix.concat(location.get(canonical)) : target;
        FilePlan real = edits.isEmpty()
                ? copy(path, realTarget, elf.sha256(), elf.size(), elf.executable(), NO_CHANGE)
                : new FilePlan(realTarget, Optional.of(path), Optional.of(elf.sha256()), elf.size(), elf.executable(),
                        new Action.EditElf(edits));
        if (!shim) {
            return List.of(real);
        }
        Action.ExecShim shimAction = new Action.ExecShim(storeRelative(path), location.get(canonical),
                bundledLoader(o).orElseThrow(), List.of());
        return List.of(real, new FilePlan(target, Optional.empty(), Optional.empty(), 0, true, shimAction));
    }

    /** Why an object is never edited, if it is one of those (design README §4). */
    private Optional<String> neverEdited(LoadableObject o) {
        return switch (o.kind()) {
            case DYNAMIC_EXECUTABLE, PIE_EXECUTABLE, SHARED_LIBRARY -> {
                if (!isNative(o)) {
                    yield Optional.of("not this machine's ELF (e_machine " + o.machine() + ", class " + o.elfClass() + ")");
                }
                if (o.family() != LoaderFamily.GLIBC && o.family() != LoaderFamily.MUSL) {
                    yield Optional.of("no known loader family (" + o.family().name().toLowerCase(java.util.Locale.ROOT) + ")");
                }
                yield Optional.empty();
            }
            default -> Optional.of(o.kind().description() + ": never edited");
        };
    }

    private boolean isNative(LoadableObject o) {
        int nativeClass = options.nativeMachine() == ElfConstants.EM_386 ? ElfConstants.ELFCLASS32 : ElfConstants.ELFCLASS64;
        return o.machine() == options.nativeMachine() && o.elfClass() == nativeClass;
    }

    /** Per DT_NEEDED name of {@code canonical}: the object inside the closure it resolves to (the loader's own entry excepted). */
    private Map<ByteString, String> targets(String canonical) {
        Map<ByteString, String> targets = new LinkedHashMap<>();
        for (DependencyGraph.Edge e : edgesFrom.getOrDefault(canonical, List.of())) {
            if (e.insideClosure() && e.to().isPresent() && e.how() != How.LOADER && !targets.containsKey(e.needed())
                    && objects.containsKey(e.to().get())
                    && (storeRelativeOf(e.to().get()).isPresent() || inPlace(LoaderPaths.toPath(e.to().get())))) {
                targets.put(e.needed(), e.to().get());
            }
        }
        return targets;
    }

    /**
     * Relative mode. glibc: each name resolved inside the closure becomes {@code $ORIGIN/<path>}, the
     * original names follow (only those a target answers to by soname), RUNPATH/RPATH entries become
     * {@code $ORIGIN}-relative. musl: names stay, RUNPATH becomes the target directories, minimal and ordered.
     */
    private List<ElfEdit> relativeEdits(String canonical, LoadableObject o) throws IOException {
        ByteString self = location(canonical);
        List<ByteString> selfDir = components(self);
        selfDir.remove(selfDir.size() - 1);
        Map<ByteString, String> targets = targets(canonical);
        List<ElfEdit> edits = new ArrayList<>();
        if (o.family() == LoaderFamily.MUSL) {
            LinkedHashSet<ByteString> dirs = new LinkedHashSet<>();
            // Keep the original search order: first the directories of the original list that found a target...
            Set<String> targetDirs = new HashSet<>();
            for (String t : targets.values()) {
                targetDirs.add(LoaderPaths.dirname(t));
            }
            for (ByteString entry : searchEntries(o)) {
                Optional<ByteString> below = host ? bundledPath(entry) : belowStore(entry).map(Planner::normalise);
                if (below.isPresent() && targetDirs.contains(LoaderPaths.of(storePrefix().concat(below.get())))) {
                    dirs.add(origin(selfDir, components(below.get())));
                }
            }
            // ...then those found some other way (the requester chain, the default path).
            for (String t : targets.values()) {
                List<ByteString> dir = components(location(t));
                dir.remove(dir.size() - 1);
                dirs.add(origin(selfDir, dir));
            }
            ByteString runpath = colonSeparated(dirs);
            if (!Optional.of(runpath).equals(o.runpath().or(o::rpath)) || o.runpath().isPresent() && o.rpath().isPresent()) {
                edits.add(dirs.isEmpty() ? new ElfEdit.RemoveSearchPath()
                        : new ElfEdit.SetSearchPath(runpath, SearchPathTag.RUNPATH));
            }
            return edits;
        }
        List<ByteString> paths = new ArrayList<>();
        List<ByteString> names = new ArrayList<>();
        List<VersionNeed> versionNeeds = null;
        for (ByteString name : o.needed()) {
            String target = targets.get(name);
            if (target == null) {
                names.add(name);
                continue;
            }
            Optional<ByteString> soname = objects.get(target).object().soname();
            if (soname.isPresent() && soname.get().equals(name)) {
                paths.add(origin(selfDir, components(location(target))));
                names.add(name);
                continue;
            }
            // No soname match: the plain name could not be matched to the object loaded by path, so a
            // version reference to it would fail (facts.md). Then the name stays and is searched for.
            if (versionNeeds == null) {
                versionNeeds = ElfFile.open(physical(canonical)).versionNeeds();
            }
            if (versionNeeds.stream().anyMatch(v -> v.fileName().equals(name))) {
                names.add(name);
            } else {
                paths.add(origin(selfDir, components(location(target))));
            }
        }
        List<ByteString> needed = new ArrayList<>(paths);
        needed.addAll(names);
        if (!needed.equals(o.needed())) {
            edits.add(new ElfEdit.SetNeeded(needed));
        }
        List<ByteString> entries = new ArrayList<>();
        for (ByteString entry : searchEntries(o)) {
            Optional<ByteString> below = belowStore(entry);
            if (entry.indexOf(ORIGIN) >= 0 || below.isEmpty()) {
                entries.add(entry);
            } else if (bundledPath(entry).isPresent()) {
                entries.add(origin(selfDir, components(bundledPath(entry).get())));
            } else if (host) {
                entries.add(entry); // a host directory the bundle holds nothing of: searched on the host, as before
            }
        }
        searchPathEdit(o, new ArrayList<>(new LinkedHashSet<>(entries))).ifPresent(edits::add);
        return edits;
    }

    /**
     * Absolute mode: each name resolved inside the closure becomes the target's path under the prefix
     * (vn_file too); a program also gets every library it loads, in the loader's order; the search
     * path goes when nothing is left to search for; the interpreter moves under the prefix.
     */
    private List<ElfEdit> absoluteEdits(String canonical, LoadableObject o) {
        Map<ByteString, String> targets = targets(canonical);
        List<ElfEdit> edits = new ArrayList<>();
        List<ByteString> needed = new ArrayList<>();
        for (ByteString name : o.needed()) {
            String target = targets.get(name);
            if (target == null) {
                needed.add(name);
                continue;
            }
            ByteString absolute = absoluteOf(target);
            if (!needed.contains(absolute)) {
                needed.add(absolute);
            }
            if (!absolute.equals(name)) {
                edits.add(new ElfEdit.ReplaceNeeded(name, absolute));
            }
        }
        boolean program = o.kind() == ElfKind.DYNAMIC_EXECUTABLE || o.kind() == ElfKind.PIE_EXECUTABLE;
        if (program) {
            Optional<DependencyGraph.Program> traced = Optional.ofNullable(programs().get(canonical));
            List<ByteString> all = new ArrayList<>(needed);
            for (String loaded : traced.map(DependencyGraph.Program::loadOrder).orElse(List.of())) {
                DependencyGraph.ObjectNode node = objects.get(loaded);
                if (node != null && node.object().kind() == ElfKind.LOADER) {
                    // The loader stays a soname (a second copy by path would crash), but keeps its place
                    // in the search order: the running loader answers to it with no lookup.
                    node.object().soname().filter(n -> !all.contains(n)).ifPresent(all::add);
                    continue;
                }
                if (node == null || loaded.equals(canonical)
                        || storeRelativeOf(loaded).isEmpty() && !inPlace(LoaderPaths.toPath(loaded))) {
                    continue;
                }
                ByteString absolute = absoluteOf(loaded);
                if (!all.contains(absolute)) {
                    all.add(absolute);
                }
            }
            if (!all.equals(needed)) {
                edits.add(new ElfEdit.SetNeeded(all));
            }
        }
        boolean allFound = o.needed().stream().allMatch(n -> targets.containsKey(n) || resolvedByLoader(canonical, n));
        if (allFound) {
            if (o.rpath().isPresent() || o.runpath().isPresent()) {
                edits.add(new ElfEdit.RemoveSearchPath());
            }
        } else if (prefixing()) {
            List<ByteString> entries = new ArrayList<>();
            for (ByteString entry : searchEntries(o)) {
                entries.add(bundledPath(entry).map(this::absolute).orElse(entry));
            }
            searchPathEdit(o, entries).ifPresent(edits::add);
        }
        if (prefixing() && o.interpreter().isPresent()) {
            Optional<ByteString> below = bundledPath(o.interpreter().get());
            if (below.isPresent()) {
                edits.add(new ElfEdit.SetInterpreter(absolute(below.get())));
            }
        }
        return edits;
    }

    private Map<String, DependencyGraph.Program> programsByCanonical;

    private Map<String, DependencyGraph.Program> programs() {
        if (programsByCanonical == null) {
            programsByCanonical = new HashMap<>();
            graph.programs().forEach(p -> programsByCanonical.putIfAbsent(canonicalOrSelf(p.path()), p));
        }
        return programsByCanonical;
    }

    private boolean resolvedByLoader(String canonical, ByteString name) {
        return edgesFrom.getOrDefault(canonical, List.of()).stream()
                .anyMatch(e -> e.needed().equals(name) && e.how() == How.LOADER);
    }

    /** The edit that makes the search path {@code entries} (same tag as before), if that is a change. */
    private static Optional<ElfEdit> searchPathEdit(LoadableObject o, List<ByteString> entries) {
        Optional<ByteString> old = o.runpath().or(o::rpath);
        if (old.isEmpty()) {
            return Optional.empty();
        }
        SearchPathTag tag = o.runpath().isPresent() ? SearchPathTag.RUNPATH : SearchPathTag.RPATH;
        if (entries.isEmpty()) {
            return Optional.of(new ElfEdit.RemoveSearchPath());
        }
        ByteString joined = colonSeparated(entries);
        if (joined.equals(old.get()) && !(o.runpath().isPresent() && o.rpath().isPresent())) {
            return Optional.empty();
        }
        return Optional.of(new ElfEdit.SetSearchPath(joined, tag));
    }

    /** The entries of the search path the loader uses (RUNPATH over RPATH), without empty ones. */
    private static List<ByteString> searchEntries(LoadableObject o) {
        List<ByteString> entries = new ArrayList<>();
        ByteString path = o.runpath().or(o::rpath).orElse(ByteString.EMPTY);
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.byteAt(i) == ':') {
                if (i > start) {
                    entries.add(path.substring(start, i));
                }
                start = i + 1;
            }
        }
        return entries;
    }

    // ---------------------------------------------------------------- launchers

    /**
     * {@code OUT/bin/<name>} for every program in the roots' {@code bin/} (names starting with
     * {@code .} are wrapped programs: none). The first root wins a name clash.
     */
    private List<FilePlan> launchers(List<FilePlan> plans) throws IOException {
        Map<ByteString, FilePlan> launchers = new TreeMap<>();
        if (host) {
            // Host mode: the roots are the programs themselves, each named as given (/usr/bin/vi, not vim.basic).
            for (Path root : closure.roots()) {
                ByteString name = ByteString.utf8(root.getFileName().toString());
                if (launchers.containsKey(name)) {
                    notes.add("launcher bin/" + name + ": " + root + " has the same name as an earlier root");
                    continue;
                }
                Optional<Action.Launcher> launcher = launcher(root, name);
                if (launcher.isPresent()) {
                    launchers.put(name, new FilePlan(ByteString.utf8("bin/").concat(name), Optional.empty(),
                            Optional.empty(), 0, true, launcher.get()));
                }
            }
            return new ArrayList<>(launchers.values());
        }
        for (Path root : closure.roots()) {
            Path bin = root.resolve("bin");
            if (!Files.isDirectory(bin, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Path> entries = new ArrayList<>();
            try (var list = Files.list(bin)) {
                list.sorted().forEach(entries::add);
            }
            for (Path entry : entries) {
                ByteString name = ByteString.utf8(entry.getFileName().toString());
                if (name.byteAt(0) == '.') {
                    continue;
                }
                Optional<Action.Launcher> launcher = launcher(entry, name);
                if (launcher.isEmpty()) {
                    continue;
                }
                if (launchers.containsKey(name)) {
                    notes.add("launcher bin/" + name + ": " + entry + " has the same name as a program of an earlier root");
                    continue;
                }
                launchers.put(name, new FilePlan(ByteString.utf8("bin/").concat(name), Optional.empty(), Optional.empty(),
                        0, true, launcher.get()));
            }
        }
        return new ArrayList<>(launchers.values());
    }

    private Optional<Action.Launcher> launcher(Path entry, ByteString name) throws IOException {
        Path real;
        try {
            real = realPath(entry);
        } catch (IOException e) {
            notes.add("no launcher for " + entry + ": it leads nowhere (" + e.getMessage() + ")");
            return Optional.empty();
        }
        ScannedFile file = scanned.get(real);
        if (file == null || closure.itemOf(real).isEmpty()) {
            notes.add("no launcher for " + entry + ": it leads out of the closure, to " + real);
            return Optional.empty();
        }
        ByteString argv0 = host ? hostArgv0(entry, real) : storeRelative(entry);
        Tree tree = host ? Tree.HOST : Tree.STORE;
        if (file instanceof ScannedFile.ElfObject elf && location.containsKey(canonical(real))
                && !excluded(real) && isShimmable(elf)) {
            return Optional.of(new Action.Launcher(name, argv0, location.get(canonical(real)),
                    bundledLoader(elf.object()), List.of(), tree));
        }
        boolean executable = file instanceof ScannedFile.ElfObject e ? e.executable()
                : file instanceof ScannedFile.Script s ? s.executable()
                : file instanceof ScannedFile.Regular r && r.executable();
        if (!executable) {
            return Optional.empty();
        }
        return Optional.of(new Action.Launcher(name, argv0, storeRelative(real), Optional.empty(), List.of(), tree));
    }

    /**
     * Host mode: the bundle path a root program sees as {@code argv[0]}: the root as given when the
     * bundle holds it there (a link like {@code usr/bin/vi}, whose name multi-call programs read),
     * else its real file.
     */
    private ByteString hostArgv0(Path root, Path real) throws IOException {
        Path given = root.toAbsolutePath().normalize();
        Path parent = given.getParent() == null ? given : given.getParent().toRealPath();
        Path there = parent.resolve(given.getFileName());
        return storeRelative(closure.itemOf(there).filter(i -> i.path().equals(there)).isPresent() ? there : real);
    }

    // ---------------------------------------------------------------- paths

    private FilePlan copy(Path path, ByteString target, String sha256, long size, boolean executable, String reason) {
        return new FilePlan(target, Optional.of(path), Optional.of(sha256), size, executable, new Action.Copy(reason));
    }

    private boolean excluded(Path file) {
        if (host) {
            // Host files are their own members: patterns match the path below / (usr/lib/x86_64-linux-gnu/libfoo.so.1).
            return closure.itemOf(file).isPresent() && options.excluded().test(storeRelative(file).utf8());
        }
        Optional<ClosureItem> item = closure.itemOf(file);
        if (item.isEmpty() || file.equals(item.get().path())) {
            return false;
        }
        return options.excluded().test(item.get().path().relativize(file).toString());
    }

    /** {@code store/<hash>-<name>/...}. */
    private boolean inPlace(Path file) {
        return options.inPlace().isPresent() && file.startsWith(options.inPlace().get());
    }

    /** Absolute mode: where an object is at run time, under the prefix or (in place) where it is. */
    private ByteString absoluteOf(String canonical) {
        return inPlace(LoaderPaths.toPath(canonical)) ? LoaderPaths.bytes(canonical) : absolute(location(canonical));
    }

    private ByteString target(Path file) {
        if (inPlace(file)) {
            return ByteString.utf8(options.inPlace().get().relativize(file).toString());
        }
        return treePrefix.concat(storeRelative(file));
    }

    private ByteString storeRelative(Path file) {
        return ByteString.utf8(storeDir.relativize(file).toString());
    }

    private Optional<ByteString> storeRelativeOf(String canonical) {
        Path p = LoaderPaths.toPath(canonical);
        return p.startsWith(logicalStore) && !p.equals(logicalStore)
                ? Optional.of(ByteString.utf8(logicalStore.relativize(p).toString())) : Optional.empty();
    }

    /** Where a canonical object's bytes go below the store directory: renamed when it got a shim. */
    private ByteString location(String canonical) {
        ByteString renamed = location.get(canonical);
        return renamed != null ? renamed : storeRelativeOf(canonical).orElseThrow(
                () -> new IllegalStateException(canonical + " is not in the store"));
    }

    private ByteString absolute(ByteString storeRelative) {
        ByteString base = bytes(options.prefix().orElse(logicalStore));
        return (base.endsWith(ByteString.utf8("/")) ? base : base.concat(ByteString.utf8("/"))).concat(storeRelative);
    }

    /** The canonical path of a file as the graph names it: below the store the files were built for. */
    private String canonical(Path file) throws IOException {
        Path real = realPath(file);
        return LoaderPaths.of(real.startsWith(storeDir) ? logicalStore.resolve(storeDir.relativize(real)) : real);
    }

    /** Where a path the graph names (below the logical store) is now. */
    private Path physical(String loaderPath) {
        Path p = LoaderPaths.toPath(loaderPath);
        return p.startsWith(logicalStore) ? storeDir.resolve(logicalStore.relativize(p)) : p;
    }

    private String canonicalOrSelf(String loaderPath) {
        try {
            return canonical(physical(loaderPath));
        } catch (IOException e) {
            return loaderPath;
        }
    }

    /**
     * {@code toRealPath}, except that an absolute symlink into the logical store leads to the file's
     * copy here (the files of a restored archive point at {@code /nix/store}, not at each other).
     */
    private Path realPath(Path file) throws IOException {
        Path p = file.toAbsolutePath();
        if (logicalStore.equals(storeDir)) {
            return p.toRealPath();
        }
        for (int hops = 0; hops < 40; hops++) {
            Path parent = p.getParent().toRealPath();
            p = parent.resolve(p.getFileName());
            if (!Files.isSymbolicLink(p)) {
                return p.toRealPath();
            }
            Path target = Files.readSymbolicLink(p);
            if (target.isAbsolute()) {
                p = target.startsWith(logicalStore) ? storeDir.resolve(logicalStore.relativize(target)) : target;
            } else {
                p = parent.resolve(target).normalize();
            }
        }
        throw new java.nio.file.FileSystemException(file.toString(), null, "too many levels of symbolic links");
    }

    /** The part of an absolute path below the old store directory ({@code <hash>-x/lib}), if it is in it. */
    private Optional<ByteString> belowStore(ByteString path) {
        ByteString prefix = storePrefix();
        if (path.equals(storeDirBytes)) {
            return Optional.of(ByteString.EMPTY);
        }
        if (!path.startsWith(prefix)) {
            return Optional.empty();
        }
        ByteString below = normalise(path.substring(prefix.length(), path.length()));
        if (below.length() >= 2 && below.byteAt(0) == '.' && below.byteAt(1) == '.') {
            return Optional.empty();
        }
        return Optional.of(below);
    }

    /** Without empty and {@code .} components (a {@code ..} stays: the component before it may be a symlink). */
    private static ByteString normalise(ByteString path) {
        return join(components(path), '/');
    }

    /** The old store directory with one trailing {@code /} ({@code /} itself for host programs). */
    private ByteString storePrefix() {
        return storeDirBytes.endsWith(ByteString.utf8("/")) ? storeDirBytes : storeDirBytes.concat(ByteString.utf8("/"));
    }

    /**
     * The bundled file or directory an absolute path names, below the tree root and without empty or
     * {@code .} components, if the bundle has it: a path into a bundled store path; host mode: a
     * bundled file or a directory holding one, after the host's symlinks ({@code /lib64/ld-linux-x86-64.so.2}
     * is {@code usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2} on Debian).
     */
    private Optional<ByteString> bundledPath(ByteString path) {
        Optional<ByteString> below = belowStore(path).map(Planner::normalise);
        if (below.isEmpty() || below.get().length() == 0) {
            return Optional.empty();
        }
        if (!host) {
            return bundled.contains(firstComponent(below.get())) ? below : Optional.empty();
        }
        if (!below.get().isValidUtf8()) {
            return Optional.empty();
        }
        try {
            ByteString real = storeRelative(storeDir.resolve(below.get().utf8()).toRealPath());
            return hostBundled.contains(real) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not on the host
        }
    }

    private static ByteString firstComponent(ByteString path) {
        int slash = path.indexOf((byte) '/', 0);
        return slash < 0 ? path : path.substring(0, slash);
    }

    private static ByteString parent(ByteString path) {
        for (int i = path.length() - 1; i >= 0; i--) {
            if (path.byteAt(i) == '/') {
                return path.substring(0, i);
            }
        }
        return ByteString.EMPTY;
    }

    /** {@code $ORIGIN/<relative>}, or {@code $ORIGIN} for the directory itself. */
    static ByteString origin(List<ByteString> fromDir, List<ByteString> to) {
        ByteString rel = relative(fromDir, to);
        return rel.equals(ByteString.utf8(".")) ? ORIGIN : ORIGIN.concat(ByteString.utf8("/")).concat(rel);
    }

    private static ByteString colonSeparated(java.util.Collection<ByteString> parts) {
        return join(parts, ':');
    }

    private static ByteString bytes(Path path) {
        return ByteString.utf8(path.toString());
    }

    private static String display(String loaderPath) {
        return LoaderPaths.display(loaderPath);
    }

    /** The bundled store path names a file refers to. */
    private SortedNames referencedBundled(Path file) throws IOException {
        return referencedBundled(Files.readAllBytes(file));
    }

    private SortedNames referencedBundled(byte[] content) {
        if (bundledByHash == null) {
            bundledByHash = new HashMap<>();
            bundled.forEach(n -> bundledByHash.put(n.substring(0, Math.min(HASH_LENGTH, n.length())), n));
        }
        SortedNames names = new SortedNames();
        ByteString prefix = storeDirBytes.concat(ByteString.utf8("/"));
        ByteString text = ByteString.of(content);
        for (int at = indexOf(text, prefix, 0); at >= 0; at = indexOf(text, prefix, at + prefix.length())) {
            int start = at + prefix.length();
            if (start + HASH_LENGTH <= text.length()) {
                ByteString name = bundledByHash.get(text.substring(start, start + HASH_LENGTH));
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static final int HASH_LENGTH = 32;
    private Map<ByteString, ByteString> bundledByHash;

    private static int indexOf(ByteString text, ByteString needle, int from) {
        int n = needle.length();
        byte first = needle.byteAt(0);
        outer:
        for (int i = from; i + n <= text.length(); i++) {
            if (text.byteAt(i) != first) {
                continue;
            }
            for (int k = 1; k < n; k++) {
                if (text.byteAt(i + k) != needle.byteAt(k)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean contains(Path file, ByteString needle) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ByteString.of(in.readAllBytes()).indexOf(needle) >= 0;
        }
    }

    /** A sorted set of names. */
    private static final class SortedNames extends TreeSet<ByteString> {
        private static final long serialVersionUID = 1L;
    }
}
