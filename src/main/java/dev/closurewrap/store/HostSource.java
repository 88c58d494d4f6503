package dev.closurewrap.store;

import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Plain host programs such as {@code /usr/bin/curl}: each root's real file is a member (a root
 * given through a symlink, {@code /usr/bin/vi}, is the file it leads to; the closure's roots keep
 * the paths as given); the libraries are added by the graph, which resolves them the way the
 * host's loader would (ld.so.cache, default directories, RPATH/RUNPATH), as {@code ldd} does.
 */
public final class HostSource implements ClosureSource {
    private final List<Path> roots;

    public HostSource(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    @Override
    public Closure closure() throws IOException {
        List<ClosureItem> items = new ArrayList<>();
        List<Path> rootPaths = new ArrayList<>();
        for (Path root : roots) {
            Path absolute = root.toAbsolutePath().normalize();
            if (!Files.isRegularFile(absolute)) {
                throw new NoSuchFileException(absolute.toString(), null, "not a regular file");
            }
            Path real = absolute.toRealPath();
            Optional<ElfFile> elf = ElfFile.openIfElf(real);
            if (elf.isEmpty()) {
                throw new UnsupportedInputException(absolute.toString(),
                        "not an ELF file: a host root is a program (or library) the host's loader runs");
            }
            rootPaths.add(absolute);
            if (items.stream().noneMatch(i -> i.path().equals(real))) {
                items.add(new ClosureItem(real, Set.of(), ClosureItem.Kind.HOST_FILE));
            }
        }
        return new Closure(Optional.empty(), rootPaths, items, "host loader");
    }
}
