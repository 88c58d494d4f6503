package dev.closurewrap.store;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarReader;
import dev.closurewrap.nar.NarRestorer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Closures that arrive as archives: a NAR file ({@code .nar}, {@code .nar.xz|zst|bz2|gz}), a
 * {@code nix-store --export} stream (compressed or not), or a local binary cache directory
 * ({@code nix-cache-info}, {@code *.narinfo}, {@code nar/}). Each store path is restored, with the
 * safe restorer, under a work directory the caller owns; the closure names the store directory the
 * files were built for ({@link Closure#builtFor()}), so the loader models look for
 * {@code /nix/store/...} paths in the restored tree.
 *
 * <ul>
 * <li>NAR file: one store path, no references known; its name is the file name without the
 *     extensions when that is {@code <hash>-<name>}, else {@code <file name>} under a made-up
 *     all-zero hash part.
 * <li>export stream: every path in it, with the references it records.
 * <li>binary cache: every path it describes, with its narinfo references.
 * </ul>
 */
public final class ArchiveSource implements ClosureSource {
    private static final String NAR_MAGIC = "nix-archive-1";

    private final List<Path> roots;
    private final Path workDir;

    /** {@code workDir} must exist and be empty; the caller deletes it when done with the closure. */
    public ArchiveSource(List<Path> roots, Path workDir) {
        this.roots = List.copyOf(roots);
        this.workDir = workDir.toAbsolutePath().normalize();
    }

    /** Whether {@code root} is an archive this source reads (by name, by directory shape, or by content). */
    public static boolean isArchive(Path root) throws IOException {
        if (Files.isDirectory(root)) {
            return Files.isRegularFile(root.resolve("nix-cache-info"));
        }
        if (!Files.isRegularFile(root)) {
            return false;
        }
        String name = root.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.matches(".*\\.(nar|export|closure)(\\.(xz|zst|bz2|gz))?")) {
            return true;
        }
        // A root given by a link (a host program such as /usr/bin/unxz -> xz): its contents are the file's.
        return kind(root.toRealPath()) != null;
    }

    private enum Kind {
        NAR,
        EXPORT
    }

    /** NAR or export stream by the first word of the (decompressed) contents; null for neither. */
    private static Kind kind(Path file) throws IOException {
        try (InputStream in = NarCompression.decompressing(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS),
                file.toString())) {
            byte[] head = in.readNBytes(8 + 16);
            if (head.length >= 8 + NAR_MAGIC.length() && head[0] == NAR_MAGIC.length()
                    && new String(head, 8, NAR_MAGIC.length(), java.nio.charset.StandardCharsets.US_ASCII).equals(NAR_MAGIC)) {
                return Kind.NAR;
            }
            if (head.length >= 8 && (head[0] == 1 || head[0] == 0)) {
                for (int i = 1; i < 8; i++) {
                    if (head[i] != 0) {
                        return null;
                    }
                }
                return Kind.EXPORT;
            }
            return null;
        } catch (BadInputException e) {
            return null;
        }
    }

    @Override
    public Closure closure() throws IOException {
        Map<Path, Set<Path>> members = new LinkedHashMap<>();
        List<Path> rootPaths = new ArrayList<>();
        StoreDir builtFor = null;
        List<String> origins = new ArrayList<>();
        for (Path root : roots) {
            StoreDir dir;
            if (Files.isDirectory(root)) {
                dir = restoreCache(root, members, rootPaths);
                origins.add("binary cache");
            } else {
                Kind kind = kind(root);
                if (kind == null) {
                    throw new UnsupportedInputException(root.toString(), "neither a NAR nor a nix-store --export stream");
                }
                dir = StoreDir.DEFAULT;
                if (kind == Kind.NAR) {
                    restoreNar(root, members, rootPaths);
                    origins.add("NAR file");
                } else {
                    restoreExport(root, dir, members, rootPaths);
                    origins.add("export stream");
                }
            }
            if (builtFor != null && !builtFor.equals(dir)) {
                throw new UnsupportedInputException(root.toString(), "built for store " + dir.path()
                        + ", the other roots for " + builtFor.path());
            }
            builtFor = dir;
        }
        List<ClosureItem> items = new ArrayList<>();
        members.forEach((path, refs) -> items.add(new ClosureItem(path, refs, ClosureItem.Kind.STORE_PATH)));
        return new Closure(Optional.of(workDir), rootPaths, items, String.join(", ", new TreeSet<>(origins)),
                Optional.of(Path.of(builtFor == null ? StoreDir.DEFAULT.path() : builtFor.path())));
    }

    private void restoreNar(Path file, Map<Path, Set<Path>> members, List<Path> rootPaths) throws IOException {
        String base = file.getFileName().toString().replaceFirst("\\.nar(\\.(xz|zst|bz2|gz))?$", "");
        StorePath path;
        try {
            path = StorePath.parseBaseName(base);
        } catch (IllegalArgumentException e) {
            path = new StorePath("0".repeat(StorePath.HASH_PART_LENGTH), base.replaceAll("[^A-Za-z0-9+._?=-]", "_"));
        }
        Path target = workDir.resolve(path.baseName());
        if (!members.containsKey(target)) {
            try (InputStream in = NarCompression.decompressing(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS),
                    file.toString())) {
                NarRestorer.restore(NarReader.standalone(in, file.toString()), target);
            }
            members.put(target, Set.of());
        }
        rootPaths.add(target);
    }

    private void restoreExport(Path file, StoreDir dir, Map<Path, Set<Path>> members, List<Path> rootPaths)
            throws IOException {
        try (InputStream raw = NarCompression.decompressing(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS),
                file.toString()); ExportReader reader = new ExportReader(new BufferedInputStream(raw), file.toString(), dir)) {
            List<ExportedPath> paths = new ArrayList<>();
            while (true) {
                Path[] target = new Path[1];
                ExportedPath exported = reader.next(nar -> {
                    // The path's name follows its archive: restore under a staging name, rename after.
                    target[0] = Files.createTempDirectory(workDir, ".export-").resolve("nar");
                    NarRestorer.restore(nar, target[0]);
                });
                if (exported == null) {
                    break;
                }
                Path dest = workDir.resolve(exported.path().baseName());
                if (members.containsKey(dest)) {
                    deleteTree(target[0].getParent());
                } else {
                    Files.move(target[0], dest);
                    Files.delete(target[0].getParent());
                    Set<Path> refs = new TreeSet<>();
                    exported.references().forEach(r -> refs.add(workDir.resolve(r.baseName())));
                    members.put(dest, refs);
                }
                paths.add(exported);
            }
            // The roots of an export stream: the paths no other path in it refers to.
            Set<String> referenced = new TreeSet<>();
            paths.forEach(p -> p.references().stream().filter(r -> !r.equals(p.path()))
                    .forEach(r -> referenced.add(r.baseName())));
            paths.stream().filter(p -> !referenced.contains(p.path().baseName()))
                    .forEach(p -> rootPaths.add(workDir.resolve(p.path().baseName())));
        }
    }

    private StoreDir restoreCache(Path cacheDir, Map<Path, Set<Path>> members, List<Path> rootPaths)
            throws IOException {
        BinaryCache cache = BinaryCache.open(cacheDir);
        List<StorePath> all = cache.paths();
        Set<String> referenced = new TreeSet<>();
        for (StorePath p : all) {
            NarInfo info = cache.narInfo(p);
            Path dest = workDir.resolve(p.baseName());
            if (!members.containsKey(dest)) {
                cache.readNar(info, nar -> NarRestorer.restore(nar, dest));
                Set<Path> refs = new TreeSet<>();
                info.references().forEach(r -> refs.add(workDir.resolve(r.baseName())));
                members.put(dest, refs);
            }
            info.references().stream().filter(r -> !r.equals(p)).forEach(r -> referenced.add(r.baseName()));
        }
        all.stream().filter(p -> !referenced.contains(p.baseName())).forEach(p -> rootPaths.add(workDir.resolve(p.baseName())));
        return cache.storeDir();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
