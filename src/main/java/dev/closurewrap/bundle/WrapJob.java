package dev.closurewrap.bundle;

import dev.closurewrap.checkpoint.CheckpointStore;
import dev.closurewrap.checkpoint.FileRecord;
import dev.closurewrap.checkpoint.FileState;
import dev.closurewrap.checkpoint.JobRecord;
import dev.closurewrap.checkpoint.KnownHashSnapshot;
import dev.closurewrap.checkpoint.ReusableResult;
import dev.closurewrap.checkpoint.Sha256;
import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.GraphBuilder;
import dev.closurewrap.graph.ScannedFile;
import dev.closurewrap.graph.Scanner;
import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.ParallelIo;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.plan.Action;
import dev.closurewrap.plan.FilePlan;
import dev.closurewrap.plan.JobPlan;
import dev.closurewrap.plan.Planner;
import dev.closurewrap.rewrite.PlanRewriter;
import dev.closurewrap.rewrite.RewriteMismatchException;
import dev.closurewrap.rewrite.StoreReference;
import dev.closurewrap.rewrite.StoreReferenceScanner;
import dev.closurewrap.store.ArchiveSource;
import dev.closurewrap.store.Closure;
import dev.closurewrap.store.ClosureItem;
import dev.closurewrap.store.ClosureSource;
import dev.closurewrap.store.HashPartMatcher;
import dev.closurewrap.store.HostSource;
import dev.closurewrap.store.ReferenceScanner;
import dev.closurewrap.store.StoreDirSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The wrap job: source → scan → graph → plan → rewrite (parallel) → sink, checkpointed.
 *
 * <p>Each regular output file is a pure function of its input bytes and its plan. With a state
 * directory, the job records per file the input hash, the plan hash, the output hash and the state
 * ({@link CheckpointStore}); rewritten files are staged in {@code STATE/staged/<output sha256>}
 * (durable before their record says DONE), so a resumed job skips every finished file, a tarball is
 * finished from staged files without redoing an edit, and the same input with the same plan in a
 * later job is not rewritten again. A directory output is written in place instead, and its
 * rewritten files are linked into the staging directory afterwards: resume reads the output.
 * A job that already finished, with its output still there, writes nothing.
 */
public final class WrapJob {
    /** The manifest's name at the top of the output. */
    public static final String MANIFEST = "closure-wrap.json";
    private static final Sha256 NO_INPUT = Sha256.hash(new byte[0]);
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> READ_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> READ_EXECUTE =
            java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x");
    /** In the state directory: present once a run did not fsync its staged and written files. */
    static final String UNSYNCED_MARKER = "unsynced-outputs";

    /** Per file, the manifest lists this many remaining references (and the count of all). */
    private static final int REFERENCES_LISTED = 8;

    private final WrapRequest request;
    private final ProgressListener progress;
    /** An archive job's restore directory: a temporary name that messages and the manifest must not show. */
    private Optional<Path> restored = Optional.empty();

    public WrapJob(WrapRequest request, ProgressListener progress) {
        this.request = request;
        this.progress = progress;
    }

    /** Runs the job. Files that cannot be rewritten are copied unchanged and listed in the result. */
    public WrapResult run() throws IOException {
        if (request.inPlace()) {
            return run(inPlaceSource());
        }
        if (!isArchiveJob()) {
            return run(source(Optional.empty()));
        }
        // Archives are restored into a work directory that lives as long as the job: the sink reads from it.
        Path work = Files.createTempDirectory("closure-wrap-restore");
        restored = Optional.of(work);
        try {
            return run(source(Optional.of(work)));
        } finally {
            deleteTree(work);
        }
    }

    private WrapResult run(ClosureSource source) throws IOException {
        int threads = request.settings().jobs();
        progress.phaseStarted(ProgressListener.Phase.SCAN, ProgressListener.UNKNOWN, ProgressListener.UNKNOWN);
        Closure closure = source.closure();
        boolean host = closure.storeDir().isEmpty();
        if (host && !request.dryRun() && !(Sinks.formOf(request.output().orElseThrow()) instanceof OutputForm.Directory
                || Sinks.formOf(request.output().get()) instanceof OutputForm.Tarball)) {
            throw new UnsupportedInputException(request.output().get(),
                    "a NAR or binary cache holds store paths: write host programs to a directory or a tarball");
        }
        // Hashes of files earlier jobs on the state directory read. Not for an archive's restored
        // files: their paths and inodes are new on every run.
        KnownHashSnapshot known = request.dryRun() || request.inPlace() || request.stateDir().isEmpty()
                || restored.isPresent() ? KnownHashSnapshot.none() : CheckpointStore.knownHashSnapshot(request.stateDir().get());
        try (known) {
            return run(closure, known, threads, host);
        }
    }

    private WrapResult run(Closure closure, KnownHashSnapshot known, int threads, boolean host) throws IOException {
        List<ScannedFile> files = new Scanner(threads, known).scan(closure.paths());
        progress.phaseFinished(ProgressListener.Phase.SCAN);

        progress.phaseStarted(ProgressListener.Phase.GRAPH, ProgressListener.UNKNOWN, ProgressListener.UNKNOWN);
        DependencyGraph graph = new GraphBuilder(threads).build(closure, files);
        if (host) {
            // The graph found the libraries the host's loader loads: they, their soname links and the
            // loader are the rest of the bundle.
            closure = HostClosure.of(closure, graph);
            java.util.Set<Path> scanned = new java.util.HashSet<>();
            files.forEach(f -> scanned.add(f.path()));
            files = new ArrayList<>(files);
            files.addAll(new Scanner(threads, known).scan(closure.paths().stream().filter(p -> !scanned.contains(p)).toList()));
            files.sort(Comparator.comparing(ScannedFile::path));
            java.util.Set<Path> inGraph = new java.util.HashSet<>();
            graph.objects().forEach(o -> inGraph.add(dev.closurewrap.graph.LoaderPaths.toPath(o.path())));
            if (files.stream().anyMatch(f -> f instanceof ScannedFile.ElfObject && !inGraph.contains(f.path()))) {
                // A library given as a root brought libraries no program loads: graph them too.
                graph = new GraphBuilder(threads).build(closure, files);
            }
        }
        known.close(); // read-only: closed before the job opens the state directory for writing
        progress.phaseFinished(ProgressListener.Phase.GRAPH);

        progress.phaseStarted(ProgressListener.Phase.PLAN, ProgressListener.UNKNOWN, ProgressListener.UNKNOWN);
        WrapConfig settings = request.settings();
        Optional<Path> inPlace = request.inPlace() ? Optional.of(closure.roots().get(0)) : Optional.empty();
        JobPlan plan = Planner.plan(closure, files, graph, new Planner.Options(request.mode(), request.prefix(),
                settings::excluded, Planner.hostMachine(), inPlace));
        if (restored.isPresent()) {
            Map<ByteString, String> problems = new TreeMap<>();
            plan.problems().forEach((target, why) -> problems.put(target, displayed(why)));
            plan = new JobPlan(plan.mode(), plan.tree(), plan.storeDir(), plan.prefix(), plan.files(), problems,
                    plan.notes().stream().map(this::displayed).toList());
        }
        plan.notes().forEach(progress::warning);
        progress.phaseFinished(ProgressListener.Phase.PLAN);
        if (request.dryRun()) {
            return new WrapResult(plan, List.of(), 0, false, Optional.empty());
        }
        if (request.inPlace()) {
            return editInPlace(plan);
        }
        if (request.stateDir().isEmpty()) {
            Path temp = Files.createTempDirectory("closure-wrap-staging");
            try {
                return new Execution(plan, Optional.empty(), temp).run();
            } finally {
                deleteTree(temp);
            }
        }
        Path state = request.stateDir().get();
        try (CheckpointStore store = CheckpointStore.open(state, jobRecord(), CheckpointStore.OnOtherJob.RESTART,
                settings.checkpointSyncPolicy())) {
            known.saveTo(store);
            Path staged = state.resolve("staged");
            Files.createDirectories(staged);
            return new Execution(plan, Optional.of(store), staged).run();
        }
    }

    /**
     * {@code --in-place}: the ROOT directory (a build output, a copy of a store path) and the store
     * paths it refers to, found by scanning it for the hash parts of the store paths present.
     */
    private ClosureSource inPlaceSource() throws IOException {
        Path dir = Path.of(request.roots().get(0)).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new UnsupportedInputException(dir.toString(), "--in-place needs a writable directory");
        }
        Optional<Path> storePath = StoreDirSource.storePathOf(dir);
        if (storePath.isPresent() && isValidInNixDatabase(storePath.get())) {
            // Root may write into the store, but the database keeps each path's hash: the store would be corrupt.
            throw new UnsupportedInputException(dir.toString(), storePath.get() + " is a valid path of the Nix store"
                    + " (registered in its database) and is never edited in place: edit a copy"
                    + " (cp -r, chmod -R u+w) or write a bundle with -o OUT");
        }
        Path storeDir = request.settings().storeDir();
        Map<String, Path> present = new java.util.HashMap<>();
        if (Files.isDirectory(storeDir)) {
            try (Stream<Path> entries = Files.list(storeDir)) {
                entries.forEach(e -> {
                    String name = e.getFileName().toString();
                    if (StoreDirSource.storePathOf(e).filter(e::equals).isPresent()) {
                        present.put(name.substring(0, 32), e);
                    }
                });
            }
        }
        List<Path> referenced = new ArrayList<>();
        for (String hash : new ReferenceScanner(new HashPartMatcher(present.keySet())).scan(dir)) {
            Path path = present.get(hash);
            if (!path.equals(dir)) {
                referenced.add(path);
            }
        }
        java.util.Collections.sort(referenced);
        List<ClosureItem> items = new ArrayList<>();
        if (!referenced.isEmpty()) {
            items.addAll(new StoreDirSource(storeDir, referenced, StoreDirSource.References.AUTO).closure().items());
        }
        items.removeIf(i -> i.path().equals(dir));
        items.add(new ClosureItem(dir, java.util.Set.copyOf(referenced), ClosureItem.Kind.STORE_PATH));
        return () -> new Closure(Optional.of(storeDir), List.of(dir), items, "in place, references by scan");
    }

    /** Writes each edited file over itself (temp file beside it, same mode, atomic rename); the rest stays. */
    private WrapResult editInPlace(JobPlan plan) throws IOException {
        List<FilePlan> regular = plan.files().stream().filter(FilePlan::isFile).toList();
        progress.phaseStarted(ProgressListener.Phase.REWRITE, regular.size(), regular.stream().mapToLong(FilePlan::size).sum());
        List<ProgressSummary.Failure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(request.settings().jobs());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (FilePlan f : regular) {
                futures.add(pool.submit(() -> {
                    if (f.action() instanceof Action.Copy) {
                        progress.fileDone(f.target().toString(), f.size(), f.action() instanceof Action.Copy c
                                && c.reason().equals(Planner.EXCLUDED) ? ProgressListener.Outcome.EXCLUDED
                                : ProgressListener.Outcome.UNCHANGED);
                        return null;
                    }
                    Path file = f.source().orElseThrow();
                    Path temp = AtomicFiles.createTemp(file);
                    try {
                        PlanRewriter.write(f, temp);
                        Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
                        AtomicFiles.commit(temp, file, request.settings().syncOutput());
                        progress.fileDone(f.target().toString(), f.size(), ProgressListener.Outcome.REWRITTEN);
                    } catch (UnsupportedInputException e) {
                        failures.add(new ProgressSummary.Failure(f.target().toString(), "not supported: " + e.reason()));
                        progress.fileFailed(f.target().toString(), f.size(), "not supported: " + e.reason());
                    } catch (IOException e) {
                        failures.add(new ProgressSummary.Failure(f.target().toString(), e.getMessage()));
                        progress.fileFailed(f.target().toString(), f.size(), e.getMessage());
                    } finally {
                        Files.deleteIfExists(temp);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while rewriting", e);
        } finally {
            pool.shutdownNow();
            // No worker may still be rewriting a file in place once the job has returned.
            ParallelIo.awaitTermination(pool);
        }
        plan.problems().forEach((target, why) -> {
            failures.add(new ProgressSummary.Failure(target.toString(), why));
            progress.fileFailed(target.toString(), 0, why);
        });
        progress.phaseFinished(ProgressListener.Phase.REWRITE);
        return new WrapResult(plan, failures, 0, false, Optional.empty());
    }

    private boolean isArchiveJob() throws IOException {
        for (String root : request.roots()) {
            Path path = Path.of(root);
            if (StoreDirSource.storePathOf(path).isEmpty() && ArchiveSource.isArchive(path)) {
                return true;
            }
        }
        return false;
    }

    /** Store paths in one store, or archives (NAR, export stream, binary cache) restored under {@code work}. */
    private ClosureSource source(Optional<Path> work) throws IOException {
        if (work.isPresent()) {
            List<Path> archives = new ArrayList<>();
            for (String root : request.roots()) {
                if (!ArchiveSource.isArchive(Path.of(root))) {
                    throw new UnsupportedInputException(root, "archives and store paths cannot be mixed in one job");
                }
                archives.add(Path.of(root));
            }
            return new ArchiveSource(archives, work.get());
        }
        List<Path> roots = new ArrayList<>();
        Path storeDir = null;
        List<Path> hostPrograms = new ArrayList<>();
        for (String root : request.roots()) {
            if (StoreDirSource.storePathOf(Path.of(root)).isEmpty()) {
                checkHostRoot(root);
                hostPrograms.add(Path.of(root));
            }
        }
        if (!hostPrograms.isEmpty()) {
            if (hostPrograms.size() != request.roots().size()) {
                throw new UnsupportedInputException(hostPrograms.get(0).toString(),
                        "host programs and store paths cannot be wrapped in one job");
            }
            return new HostSource(hostPrograms);
        }
        for (String root : request.roots()) {
            Path path = Path.of(root);
            Optional<Path> storePath = StoreDirSource.storePathOf(path);
            if (storePath.isEmpty()) {
                throw new UnsupportedInputException(root, "not in a store");
            }
            Path dir = storePath.get().getParent();
            if (storeDir != null && !storeDir.equals(dir)) {
                throw new UnsupportedInputException(root, "roots in two stores: " + storeDir + " and " + dir);
            }
            storeDir = dir;
            roots.add(storePath.get());
        }
        return new StoreDirSource(storeDir, roots, StoreDirSource.References.AUTO);
    }

    /**
     * {@code message} with an archive job's restore directory replaced by the archive's name
     * ({@code app.nar!/<hash>-app/lib/libfoo.so}): the user never saw that directory, it is gone
     * after the job, and a manifest naming it would differ from run to run.
     */
    private String displayed(String message) {
        if (restored.isEmpty()) {
            return message;
        }
        String archive = request.roots().size() == 1 ? request.roots().get(0) + "!/" : "";
        return message.replace(restored.get() + "/", archive);
    }

    /**
     * A root outside any store that is no archive must be a host program: say plainly when it is
     * missing, a link to nowhere, or a directory (the user meant a store path or a binary cache).
     */
    public static void checkHostRoot(String root) throws IOException {
        Path path = Path.of(root);
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.NoSuchFileException(root, null, "no such file or directory");
        }
        try {
            path.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new java.nio.file.NoSuchFileException(root, null, "a symbolic link to nothing");
        } catch (java.nio.file.FileSystemException e) {
            if (String.valueOf(e.getReason()).contains("levels of symbolic links")) {
                throw new java.nio.file.NoSuchFileException(root, null, "symbolic link loop");
            }
            throw e;
        }
        if (Files.isDirectory(path)) {
            throw new UnsupportedInputException(root, "a directory that is neither a store path (<store>/<hash>-<name>)"
                    + " nor a binary cache (it has no nix-cache-info): give a store path, a NAR, a nix-store --export"
                    + " stream, a binary cache directory or a host ELF program");
        }
    }

    /**
     * Whether {@code nix-store --check-validity} knows {@code storePath}; false without Nix, for a
     * path of another store, and for a build output not registered yet (what {@code --in-place} is for).
     */
    private static boolean isValidInNixDatabase(Path storePath) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder("nix-store", "--check-validity", storePath.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return false; // no nix-store on PATH: no database to protect
        }
        try {
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("nix-store --check-validity " + storePath + " did not finish in 60 s");
            }
            return process.exitValue() == 0;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running nix-store", e);
        }
    }

    private JobRecord jobRecord() {
        String options = "prefix=" + request.prefix().map(Path::toString).orElse("") + "\n"
                + "exclude=" + String.join(" ", request.settings().exclude().patterns()) + "\n";
        return new JobRecord(request.roots(), request.mode().label(), request.output().orElseThrow(),
                Sha256.hash(options.getBytes(StandardCharsets.UTF_8)), request.toolVersion(), System.currentTimeMillis());
    }

    /** What the manifest says about one output file. */
    record Outcome(FilePlan plan, String state, Optional<Sha256> output, Optional<String> reason,
                   long referenceCount, List<StoreReference> references) {}

    /** One run of the rewrite and write phases. */
    private final class Execution {
        private final JobPlan plan;
        private final Optional<CheckpointStore> store;
        private final Path staged;
        /** References of the staged files hashed by this run, by output hash (see hashAndReferences). */
        private final Map<Sha256, References> stagedReferences = new ConcurrentHashMap<>();
        /** fsync staged files ({@code sync-output}); without it a power loss may leave a recorded file damaged. */
        private final boolean sync;
        /**
         * fsync staged files: when outputs are synced and the output is an archive or cache, which
         * is made again from them on resume. A directory output syncs its own files and resumes
         * from them; the staged links to them (and copies of reused results) only serve later jobs
         * through the result index, which checks their hash first.
         */
        private final boolean syncStaged;
        /**
         * Some run on this state directory did not sync its outputs: a file recorded done may have
         * been lost or cut short by a power loss, so it is trusted only after its hash is checked.
         */
        private final boolean verifyOnResume;
        /** Names (hashes) of the staged files this run wrote or found whole. */
        private final Set<String> checkedStaged = ConcurrentHashMap.newKeySet();
        private final OutputForm form;
        /** Finds strings naming the old store; empty for host programs, which come from no store. */
        private final Optional<StoreReferenceScanner> scanner;
        private final Map<ByteString, Outcome> outcomes = new ConcurrentHashMap<>();
        private final List<ProgressSummary.Failure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong reused = new AtomicLong();

        Execution(JobPlan plan, Optional<CheckpointStore> store, Path staged) throws IOException {
            this.plan = plan;
            this.store = store;
            this.staged = staged;
            this.sync = request.settings().syncOutput();
            this.syncStaged = sync && !(Sinks.formOf(request.output().orElseThrow()) instanceof OutputForm.Directory);
            this.verifyOnResume = store.isPresent() && unsyncedRun(staged.resolveSibling(UNSYNCED_MARKER), sync);
            this.form = Sinks.formOf(request.output().orElseThrow());
            this.scanner = plan.tree() == dev.closurewrap.plan.Tree.HOST ? Optional.empty()
                    : Optional.of(new StoreReferenceScanner(ByteString.utf8(plan.storeDir().toString())));
        }

        WrapResult run() throws IOException {
            List<FilePlan> regular = plan.files().stream().filter(FilePlan::isFile).toList();
            long bytes = regular.stream().mapToLong(FilePlan::size).sum();
            if (upToDate(regular)) {
                progress.phaseStarted(ProgressListener.Phase.REWRITE, regular.size(), bytes);
                regular.forEach(f -> progress.fileDone(f.target().toString(), f.size(), ProgressListener.Outcome.RESUMED));
                progress.phaseFinished(ProgressListener.Phase.REWRITE);
                return new WrapResult(plan, List.of(), 0, true, Optional.empty());
            }
            if (form instanceof OutputForm.Directory dir) {
                removeTempFiles(dir.path());
            }
            Sinks.Options options = request.settings().sinkOptions(form);
            try {
                return write(regular, bytes, options);
            } catch (java.nio.file.FileSystemException | BadInputException | UnsupportedInputException e) {
                throw e;
            } catch (IOException e) {
                // A sink's I/O error (a full disk) often names no file: say which output it was writing.
                String message = String.valueOf(e.getMessage());
                boolean named = message.contains(staged.toString()) || message.startsWith(outputPath() + ":");
                throw named ? e : new IOException(outputPath() + ": " + message, e);
            }
        }

        private WrapResult write(List<FilePlan> regular, long bytes, Sinks.Options options) throws IOException {
            try (OutputSink sink = Sinks.open(form, options)) {
                progress.phaseStarted(ProgressListener.Phase.REWRITE, regular.size(), bytes);
                EntryPath tree = EntryPath.of(ByteString.utf8(plan.tree().directory()));
                EntryPath bin = EntryPath.of(ByteString.utf8("bin"));
                boolean launchers = plan.files().stream().anyMatch(f -> f.action() instanceof Action.Launcher);
                // Sorted, the manifest last (it is made from every other entry's outcome): an
                // archive is then written as the entries are made, not after the last one.
                TreeSet<EntryPath> sorted = new TreeSet<>();
                sorted.add(tree);
                if (launchers) {
                    sorted.add(bin);
                }
                for (FilePlan f : plan.files()) {
                    sorted.add(EntryPath.of(f.target()));
                }
                List<EntryPath> order = new ArrayList<>(sorted);
                order.add(EntryPath.of(ByteString.utf8(MANIFEST)));
                sink.announce(order);
                sink.directory(tree);
                for (FilePlan f : plan.files()) {
                    if (f.action() instanceof Action.Directory) {
                        sink.directory(EntryPath.of(f.target()));
                    }
                }
                if (launchers) {
                    sink.directory(bin);
                }
                parallel(sink);
                progress.phaseFinished(ProgressListener.Phase.REWRITE);

                progress.phaseStarted(ProgressListener.Phase.WRITE, 1, ProgressListener.UNKNOWN);
                byte[] manifest = Manifest.toJson(request, plan, outcomes);
                Path manifestFile = stage(manifest);
                sink.file(EntryPath.of(ByteString.utf8(MANIFEST)), false, manifestFile);
                SinkSummary summary = sink.finish();
                if (store.isPresent()) {
                    store.get().markFinished();
                    StagedPruner.afterFinishedJob(store.get(), staged, request.settings().stagedMaxBytes(),
                            progress::warning);
                }
                progress.phaseFinished(ProgressListener.Phase.WRITE);
                return new WrapResult(plan, failures, reused.get(), false, Optional.of(summary));
            }
        }

        /** The job finished before, its output is still there, and every file's input and plan are the same. */
        private boolean upToDate(List<FilePlan> regular) throws IOException {
            // Outputs that were never synced are not known to be whole: go through them (resume checks each).
            if (verifyOnResume || store.isEmpty() || !store.get().status(0).finished() || !Files.exists(outputPath())) {
                return false;
            }
            for (FilePlan f : regular) {
                Optional<FileRecord> record = store.get().get(f.target());
                if (record.isEmpty() || !record.get().isFinishedFor(inputHash(f), planHash(f))) {
                    return false;
                }
                // A directory can lose a file after the job; an archive is one file.
                if (form instanceof OutputForm.Directory d
                        && !Files.isRegularFile(EntryPath.of(f.target()).under(d.path()), LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
            }
            return true;
        }

        private Path outputPath() {
            if (form instanceof OutputForm.Directory d) {
                return d.path();
            } else if (form instanceof OutputForm.Tarball t) {
                return t.path();
            } else if (form instanceof OutputForm.Nar n) {
                return n.path();
            }
            return ((OutputForm.BinaryCache) form).directory();
        }

        private void parallel(OutputSink sink) throws IOException {
            ExecutorService pool = Executors.newFixedThreadPool(request.settings().jobs(), r -> {
                Thread t = new Thread(r, "closure-wrap-rewrite");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                // In the output's order, so that an archive written as entries come has the next one
                // soon. (Largest first, tried for directories, measured no faster.)
                TreeMap<EntryPath, FilePlan> sorted = new TreeMap<>();
                for (FilePlan f : plan.files()) {
                    if (!(f.action() instanceof Action.Directory)) {
                        sorted.put(EntryPath.of(f.target()), f);
                    }
                }
                Collection<FilePlan> files = sorted.values();
                for (FilePlan f : files) {
                    futures.add(pool.submit(() -> {
                        one(sink, f);
                        return null;
                    }));
                }
                for (Future<?> future : futures) {
                    try {
                        future.get();
                    } catch (ExecutionException e) {
                        futures.forEach(x -> x.cancel(true));
                        if (e.getCause() instanceof IOException io) {
                            throw io;
                        }
                        if (e.getCause() instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IOException(e.getCause());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while rewriting", e);
            } finally {
                pool.shutdownNow();
                // The workers a failure interrupted still use the sink and the checkpoint store.
                ParallelIo.awaitTermination(pool);
            }
        }

        /** One entry: symlink, or a regular file from its checkpoint, the result index, or a fresh rewrite. */
        private void one(OutputSink sink, FilePlan f) throws IOException {
            EntryPath entry = EntryPath.of(f.target());
            if (f.action() instanceof Action.Symlink link) {
                sink.symlink(entry, link.target());
                Optional<ByteString> stillInStore = storeReference(link.target());
                outcomes.put(f.target(), new Outcome(f, "symlink", Optional.empty(), Optional.empty(),
                        stillInStore.isPresent() ? 1 : 0,
                        stillInStore.map(p -> List.of(new StoreReference(0, p))).orElse(List.of())));
                return;
            }
            Sha256 input = inputHash(f);
            Sha256 planHash = planHash(f);
            String problem = plan.problems().get(f.target());
            if (store.isPresent()) {
                Optional<FileRecord> record = store.get().get(f.target());
                if (record.isPresent() && record.get().isFinishedFor(input, planHash) && resume(sink, f, record.get())) {
                    return;
                }
            }
            if (f.action() instanceof Action.Copy copy) {
                Path source = f.source().orElseThrow();
                sink.file(entry, f.executable(), source);
                if (problem != null) {
                    failed(f, input, planHash, problem, source);
                    return;
                }
                if (store.isPresent()) {
                    store.get().markCopiedUnchanged(f.target(), input, planHash);
                }
                boolean excluded = copy.reason().equals(Planner.EXCLUDED);
                finish(f, "unchanged", input, Optional.empty(), source,
                        excluded ? ProgressListener.Outcome.EXCLUDED : ProgressListener.Outcome.UNCHANGED);
                return;
            }
            Optional<Path> result = reusable(input, planHash);
            if (result.isPresent()) {
                reused.incrementAndGet();
            } else {
                InPlace inPlace = null;
                try {
                    if (sink instanceof DirectorySink directory) {
                        inPlace = rewriteInto(directory, f);
                    } else {
                        result = Optional.of(rewrite(f));
                    }
                } catch (UnsupportedInputException e) {
                    copyFailed(sink, f, input, planHash, "not supported: " + e.reason());
                    return;
                } catch (BadInputException | RewriteMismatchException e) {
                    // Bad input (the message names file and offset), or an edit that did not read back as planned.
                    copyFailed(sink, f, input, planHash, e.getMessage());
                    return;
                } catch (java.nio.file.FileSystemException e) {
                    throw e; // names its file already
                } catch (IOException e) {
                    // The machine, not the file (a full disk): copying it unchanged would hide that; stop the job.
                    Path where = sink instanceof DirectorySink ? outputPath() : staged;
                    throw new IOException(where + ": writing the rewrite of " + f.target() + ": " + e.getMessage(), e);
                }
                if (inPlace != null) {
                    if (store.isPresent()) {
                        store.get().markDone(f.target(), input, planHash, inPlace.hash());
                    }
                    stageByLink(inPlace.file(), inPlace.hash());
                    finish(f, "rewritten", input, Optional.of(inPlace.hash()), inPlace.references(),
                            ProgressListener.Outcome.REWRITTEN);
                    return;
                }
            }
            Path output = result.get();
            Sha256 outputHash = Sha256.fromHex(output.getFileName().toString());
            if (sink instanceof DirectorySink directory) {
                // A staged rewrite that is also another output's file (written there, or linked by a
                // --hardlink job) is copied: outputs made without --hardlink must not share an inode.
                directory.file(entry, f.executable(), output, linkCount(output) == 1);
            } else {
                sink.file(entry, f.executable(), output);
            }
            if (store.isPresent()) {
                store.get().markDone(f.target(), input, planHash, outputHash);
            }
            finish(f, "rewritten", input, Optional.of(outputHash), output, ProgressListener.Outcome.REWRITTEN);
        }

        /** A file finished by an earlier run: archive sinks get it again, a directory already has it. */
        private boolean resume(OutputSink sink, FilePlan f, FileRecord record) throws IOException {
            Path content;
            String state;
            Optional<Sha256> output = Optional.empty();
            if (record.state() instanceof FileState.Done done) {
                content = staged.resolve(done.outputHash().hex());
                state = "rewritten";
                output = Optional.of(done.outputHash());
            } else {
                content = f.source().orElseThrow();
                state = "unchanged";
            }
            Sha256 expected = output.orElse(record.inputHash());
            if (form instanceof OutputForm.Directory dir) {
                Path written = EntryPath.of(f.target()).under(dir.path());
                if (!Files.isRegularFile(written, LinkOption.NOFOLLOW_LINKS) || !whole(written, expected)) {
                    return false;
                }
                content = written;
            } else {
                // Always checked: a staged file may share its inode with a directory output, which
                // its user can change in place.
                if (!hasHash(content, expected)) {
                    return false; // the staged file is gone or damaged: do it again
                }
                sink.file(EntryPath.of(f.target()), f.executable(), content);
            }
            finish(f, state, record.inputHash(), output, content, ProgressListener.Outcome.RESUMED);
            return true;
        }

        /**
         * A staged file already there is taken as is only if this run wrote or checked it: one an
         * earlier run left may be unsynced, or (linked into a --hardlink output) changed in place.
         * A fresh rewrite replaces it instead, which costs a rename, not a read.
         */
        private boolean checkedThisRun(Path target) {
            return checkedStaged.contains(target.getFileName().toString()) && Files.isRegularFile(target);
        }

        private static int linkCount(Path file) throws IOException {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        }

        /** True unless outputs may be unsynced and {@code file} does not have the recorded hash. */
        private boolean whole(Path file, Sha256 expected) throws IOException {
            return !verifyOnResume || hasHash(file, expected);
        }

        /** Whether {@code file} is there with the SHA-256 {@code expected}, read whole; the hash then counts as checked this run. */
        private boolean hasHash(Path file, Sha256 expected) throws IOException {
            if (Files.isRegularFile(file) && hashAndReferences(file).equals(expected)) {
                checkedStaged.add(expected.hex());
                return true;
            }
            return false;
        }

        private Optional<Path> reusable(Sha256 input, Sha256 planHash) throws IOException {
            if (store.isEmpty()) {
                return Optional.empty();
            }
            Optional<ReusableResult> result = store.get().reusableResult(input, planHash);
            if (result.isEmpty()) {
                return Optional.empty();
            }
            Path file = staged.resolve(result.get().outputHash().hex());
            // A staged file is only ever renamed into place whole, but it may have been deleted or damaged.
            if (hasHash(file, result.get().outputHash())) {
                if (syncStaged) {
                    // A directory job staged it without syncing: this job's record will rely on it.
                    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                        channel.force(true);
                    }
                    AtomicFiles.fsyncDirectory(staged);
                }
                store.get().markUsed(result.get().outputHash());
                return Optional.of(file);
            }
            return Optional.empty();
        }

        /**
         * Applies the plan straight into a directory output: the rewrite is written once, where it
         * stays, instead of staged and then copied. The output file is then linked into the staging
         * directory under its SHA-256 for later jobs' reuse (the result index checks a staged file's
         * hash before trusting it, so a changed output only costs a rewrite). A directory job
         * resumes from its output, never from staged files.
         */
        private InPlace rewriteInto(DirectorySink directory, FilePlan f) throws IOException {
            Observed observed = new Observed();
            Path written = directory.write(EntryPath.of(f.target()), f.executable(),
                    temp -> PlanRewriter.write(f, temp, observed));
            return new InPlace(written, observed.finish(), observed.references());
        }

        /** A rewrite written in place in a directory output: its file there, its hash, its remaining references. */
        private record InPlace(Path file, Sha256 hash, References references) {}

        /** {@code staged/<hash>} made a link to {@code file}, or a copy where links fail (another file system). */
        private void stageByLink(Path file, Sha256 hash) throws IOException {
            Path target = staged.resolve(hash.hex());
            if (checkedThisRun(target)) {
                return;
            }
            Path temp = AtomicFiles.tempSibling(target);
            try {
                try {
                    Files.createLink(temp, file);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    throw e;
                } catch (IOException linkFailed) {
                    try {
                        Files.copy(file, temp);
                    } catch (IOException e) {
                        e.addSuppressed(linkFailed);
                        throw e;
                    }
                }
                AtomicFiles.commit(temp, target, false);
            } catch (java.nio.file.FileSystemException e) {
                throw e; // names its file already
            } catch (IOException e) {
                throw new IOException(staged + ": staging the rewrite of " + file + ": " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(temp);
            }
            checkedStaged.add(hash.hex());
        }

        /**
         * Applies the plan into the staging directory; the staged file is named by its SHA-256, durable.
         * The hash and the remaining references are taken from the bytes as they are written.
         */
        private Path rewrite(FilePlan f) throws IOException {
            // Named, not created: the rewriter creates it, one open instead of two.
            Path temp = AtomicFiles.tempSibling(staged.resolve("rewrite"));
            try {
                Observed observed = new Observed();
                PlanRewriter.write(f, temp, observed);
                Sha256 hash = observed.finish();
                Path target = staged.resolve(hash.hex());
                if (checkedThisRun(target)) {
                    Files.delete(temp);
                } else {
                    // The store file's mode (0444 or 0555): a directory sink in link mode may then hard-link it.
                    Files.setPosixFilePermissions(temp, f.executable() ? READ_EXECUTE : READ_ONLY);
                    AtomicFiles.commit(temp, target, syncStaged);
                }
                checkedStaged.add(hash.hex());
                return target;
            } finally {
                Files.deleteIfExists(temp);
            }
        }

        private Path stage(byte[] content) throws IOException {
            Path target = staged.resolve(Sha256.hash(content).hex());
            if (!checkedThisRun(target)) {
                Path temp = AtomicFiles.createTemp(target);
                try {
                    Files.write(temp, content);
                    Files.setPosixFilePermissions(temp, READ_ONLY);
                    AtomicFiles.commit(temp, target, syncStaged);
                } finally {
                    Files.deleteIfExists(temp);
                }
                checkedStaged.add(target.getFileName().toString());
            }
            return target;
        }

        private void copyFailed(OutputSink sink, FilePlan f, Sha256 input, Sha256 planHash, String reason) throws IOException {
            Path source = f.source().orElseThrow(() -> new IOException(f.target() + ": generating it failed: " + reason));
            sink.file(EntryPath.of(f.target()), f.executable(), source);
            failed(f, input, planHash, reason, source);
        }

        private void failed(FilePlan f, Sha256 input, Sha256 planHash, String why, Path content) throws IOException {
            String reason = displayed(why);
            if (store.isPresent()) {
                store.get().markFailed(f.target(), input, planHash, reason);
            }
            References refs = references(content);
            outcomes.put(f.target(), new Outcome(f, "failed", Optional.of(input), Optional.of(reason), refs.count, refs.listed));
            failures.add(new ProgressSummary.Failure(f.target().toString(), reason));
            progress.fileFailed(f.target().toString(), f.size(), reason);
        }

        private void finish(FilePlan f, String state, Sha256 input, Optional<Sha256> output, Path content,
                            ProgressListener.Outcome outcome) throws IOException {
            finish(f, state, input, output, references(content), outcome);
        }

        private void finish(FilePlan f, String state, Sha256 input, Optional<Sha256> output, References refs,
                            ProgressListener.Outcome outcome) {
            outcomes.put(f.target(), new Outcome(f, state, Optional.of(output.orElse(input)), Optional.empty(),
                    refs.count, refs.listed));
            progress.fileDone(f.target().toString(), f.size(), outcome);
        }

        private record References(long count, List<StoreReference> listed) {}

        /**
         * The SHA-256 of a staged (or about to be staged) file, its references remembered under that
         * hash on the way: one read serves both, and {@link #finish} does not read the file again.
         */
        private Sha256 hashAndReferences(Path file) throws IOException {
            Observed observed = new Observed();
            try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(observed);
            }
            return observed.finish();
        }

        /**
         * Takes in a file's bytes, in order, and gives their SHA-256, remembering the store references
         * found in them under that hash (see {@link #references(Path)}).
         */
        private final class Observed extends OutputStream {
            private final MessageDigest digest = Sha256.newDigest();
            private final ReferenceTally tally = new ReferenceTally();
            private final Optional<StoreReferenceScanner.Feed> feed = scanner.map(s -> s.feed(tally));

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                digest.update(b, off, len);
                feed.ifPresent(f -> f.write(b, off, len));
            }

            Sha256 finish() {
                feed.ifPresent(StoreReferenceScanner.Feed::close);
                Sha256 hash = Sha256.of(digest.digest());
                stagedReferences.putIfAbsent(hash, tally.result());
                return hash;
            }

            /** The references found; valid after {@link #finish}. */
            References references() {
                return tally.result();
            }
        }

        private References references(Path content) throws IOException {
            if (scanner.isPresent() && content.getParent() != null && content.getParent().equals(staged)) {
                References known = stagedReferences.get(Sha256.fromHex(content.getFileName().toString()));
                if (known != null) {
                    return known;
                }
            }
            try (InputStream in = Files.newInputStream(content)) {
                return references(in);
            }
        }

        private References references(InputStream in) throws IOException {
            ReferenceTally tally = new ReferenceTally();
            if (scanner.isPresent()) {
                scanner.get().scan(in, tally);
            }
            return tally.result();
        }

        /** Counts the references a scan finds and keeps the first {@link #REFERENCES_LISTED}. */
        private static final class ReferenceTally implements java.util.function.Consumer<StoreReference> {
            private final List<StoreReference> listed = new ArrayList<>();
            private long count;

            @Override
            public void accept(StoreReference reference) {
                count++;
                if (listed.size() < REFERENCES_LISTED) {
                    listed.add(reference);
                }
            }

            References result() {
                return new References(count, listed);
            }
        }

        private Optional<ByteString> storeReference(ByteString linkTarget) {
            if (scanner.isEmpty()) {
                return Optional.empty();
            }
            List<StoreReference> found = scanner.get().scan(linkTarget.toByteArray());
            return found.isEmpty() || found.get(0).offset() != 0 ? Optional.empty() : Optional.of(found.get(0).path());
        }

        private Sha256 inputHash(FilePlan f) {
            return f.inputSha256().map(Sha256::fromHex).orElse(NO_INPUT);
        }

        private Sha256 planHash(FilePlan f) {
            return Sha256.fromHex(f.planSha256());
        }
    }

    /**
     * Whether outputs of this state directory may be unsynced: this run does not sync, or an earlier
     * one did not. The marker is made durable before the first unsynced file, and never removed.
     */
    private static boolean unsyncedRun(Path marker, boolean sync) throws IOException {
        if (Files.exists(marker)) {
            return true;
        }
        if (sync) {
            return false;
        }
        Path temp = AtomicFiles.createTemp(marker);
        try {
            Files.writeString(temp, "a run did not sync its outputs: check staged and written files by hash on resume\n");
            AtomicFiles.commit(temp, marker, true);
        } finally {
            Files.deleteIfExists(temp);
        }
        return true;
    }

    /**
     * Temp files a killed run left in a directory output ({@code .NAME.tmp-RANDOM}, see
     * {@link AtomicFiles#tempSibling}): the resumed run's tree must be exactly an uninterrupted run's.
     */
    private static void removeTempFiles(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> leftovers;
        try (Stream<Path> walk = Files.walk(root)) {
            leftovers = walk.filter(p -> p.getFileName().toString().matches("\\..*\\.tmp-[0-9a-z]+")).toList();
        }
        for (Path p : leftovers) {
            Files.deleteIfExists(p);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
