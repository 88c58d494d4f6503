package dev.closurewrap.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The closure of store paths under a store directory. References come from the Nix database
 * ({@code nix-store --query --requisites}, then {@code --dump-db} for every path's references)
 * when {@code nix-store} runs and knows the roots; otherwise from scanning each path's files for
 * the hash parts of the store paths present in the directory, as Nix does when registering a
 * build, breadth-first from the roots.
 */
public final class StoreDirSource implements ClosureSource {
    /** Where references come from. */
    public enum References {
        /** The Nix database if {@code nix-store} is available, else a scan. */
        AUTO,
        NIX_DATABASE,
        SCAN
    }

    private static final Pattern STORE_PATH_NAME = Pattern.compile("[0-9a-df-np-sv-z]{32}-[^/]+");
    private static final long NIX_TIMEOUT_SECONDS = 300;

    private final Path storeDir;
    private final List<Path> roots;
    private final References references;
    private final ReferenceFinder finder;

    public StoreDirSource(Path storeDir, List<Path> roots, References references) {
        this(storeDir, roots, references, ReferenceFinder.scanning());
    }

    /** As above, references (when scanned) found by {@code finder}. */
    public StoreDirSource(Path storeDir, List<Path> roots, References references, ReferenceFinder finder) {
        this.storeDir = storeDir.toAbsolutePath().normalize();
        this.roots = List.copyOf(roots);
        this.references = references;
        this.finder = finder;
    }

    /**
     * The store path {@code file} lies in, and its store directory: for
     * {@code /nix/store/<hash>-curl/bin/curl}, {@code /nix/store/<hash>-curl}. Empty when no
     * element of the path looks like a store path name.
     */
    public static Optional<Path> storePathOf(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        for (int i = 0; i < absolute.getNameCount(); i++) {
            if (STORE_PATH_NAME.matcher(absolute.getName(i).toString()).matches()) {
                return Optional.of(absolute.getRoot().resolve(absolute.subpath(0, i + 1)));
            }
        }
        return Optional.empty();
    }

    /** The hash part of a store path ({@code /nix/store/<hash>-name}). */
    public static String hashPart(Path storePath) {
        return storePath.getFileName().toString().substring(0, HashPartMatcher.HASH_LENGTH);
    }

    @Override
    public Closure closure() throws IOException {
        List<Path> rootPaths = new ArrayList<>();
        for (Path root : roots) {
            Path storePath = storePathOf(root).orElseThrow(() -> new IOException(root + ": not in a store"));
            if (!storePath.getParent().equals(storeDir)) {
                throw new IOException(root + ": not in store " + storeDir);
            }
            if (!Files.exists(storePath, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new java.nio.file.NoSuchFileException(storePath.toString());
            }
            if (!rootPaths.contains(storePath)) {
                rootPaths.add(storePath);
            }
        }
        if (references != References.SCAN) {
            Optional<Closure> fromNix = fromNixDatabase(rootPaths);
            if (fromNix.isPresent()) {
                return fromNix.get();
            }
            if (references == References.NIX_DATABASE) {
                throw new IOException("nix-store could not give the closure of " + rootPaths);
            }
        }
        return byScanning(rootPaths);
    }

    private Closure byScanning(List<Path> rootPaths) throws IOException {
        Map<String, Path> present = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(storeDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (STORE_PATH_NAME.matcher(name).matches()) {
                    present.put(name.substring(0, HashPartMatcher.HASH_LENGTH), entry);
                }
            }
        }
        HashPartMatcher matcher = new HashPartMatcher(present.keySet());
        Map<Path, Set<Path>> found = new LinkedHashMap<>();
        // Breadth-first, one level at a time, the paths of a level scanned together.
        List<Path> level = new ArrayList<>(rootPaths);
        while (!level.isEmpty()) {
            Map<Path, Set<String>> hits = finder.find(level, matcher);
            Set<Path> next = new LinkedHashSet<>();
            for (Path path : level) {
                Set<Path> refs = new TreeSet<>();
                Set<String> pathHits = hits.get(path);
                if (pathHits == null) {
                    throw new IllegalStateException("reference finder skipped " + path);
                }
                pathHits.forEach(hash -> refs.add(present.get(hash)));
                found.put(path, refs);
                next.addAll(refs);
            }
            next.removeAll(found.keySet());
            level = new ArrayList<>(next);
        }
        List<ClosureItem> items = new ArrayList<>();
        found.forEach((path, refs) -> items.add(new ClosureItem(path, refs, ClosureItem.Kind.STORE_PATH)));
        return new Closure(Optional.of(storeDir), rootPaths, items, "reference scan");
    }

    private Optional<Closure> fromNixDatabase(List<Path> rootPaths) throws IOException {
        List<String> requisites = new ArrayList<>(List.of("nix-store", "--query", "--requisites"));
        rootPaths.forEach(p -> requisites.add(p.toString()));
        Optional<String> listed = run(requisites);
        if (listed.isEmpty()) {
            return Optional.empty();
        }
        List<String> paths = listed.get().lines().filter(l -> !l.isBlank()).toList();
        List<String> dump = new ArrayList<>(List.of("nix-store", "--dump-db"));
        dump.addAll(paths);
        Optional<String> db = run(dump);
        if (db.isEmpty()) {
            return Optional.empty();
        }
        Map<Path, Set<Path>> refs = parseDumpDb(db.get());
        List<ClosureItem> items = new ArrayList<>();
        for (String p : paths) {
            Path path = Path.of(p);
            Set<Path> pathRefs = refs.get(path);
            if (pathRefs == null) {
                throw new IOException("nix-store --dump-db gave no entry for " + p);
            }
            items.add(new ClosureItem(path, pathRefs, ClosureItem.Kind.STORE_PATH));
        }
        return Optional.of(new Closure(Optional.of(storeDir), rootPaths, items, "nix database"));
    }

    /**
     * {@code nix-store --dump-db}'s registration format, per path: the path, its NAR hash, NAR
     * size, deriver (or an empty line), the reference count and each reference.
     */
    static Map<Path, Set<Path>> parseDumpDb(String text) throws IOException {
        List<String> lines = text.lines().toList();
        Map<Path, Set<Path>> refs = new LinkedHashMap<>();
        int i = 0;
        while (i < lines.size()) {
            if (lines.get(i).isEmpty()) {
                i++;
                continue;
            }
            if (i + 4 >= lines.size()) {
                throw new IOException("nix-store --dump-db: truncated entry at line " + (i + 1));
            }
            Path path = Path.of(lines.get(i));
            int count;
            try {
                count = Integer.parseInt(lines.get(i + 4).strip());
            } catch (NumberFormatException e) {
                throw new IOException("nix-store --dump-db: bad reference count at line " + (i + 5), e);
            }
            if (count < 0 || i + 5 + count > lines.size()) {
                throw new IOException("nix-store --dump-db: reference count " + count + " at line " + (i + 5));
            }
            Set<Path> pathRefs = new LinkedHashSet<>();
            for (int r = 0; r < count; r++) {
                pathRefs.add(Path.of(lines.get(i + 5 + r)));
            }
            refs.put(path, pathRefs);
            i += 5 + count;
        }
        return refs;
    }

    /** Runs a Nix command; empty if Nix is missing or refuses (an unregistered path). */
    private static Optional<String> run(List<String> command) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return Optional.empty(); // no nix-store on PATH
        }
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = process.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            if (!process.waitFor(NIX_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command.subList(0, 3)) + " did not finish in "
                        + NIX_TIMEOUT_SECONDS + " s");
            }
            byte[] out = stdout.get();
            return process.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running nix-store", e);
        } catch (ExecutionException e) {
            throw new IOException("reading the output of nix-store", e.getCause());
        }
    }
}
