package dev.closurewrap.bundle;

import dev.closurewrap.graph.DependencyGraph;
import dev.closurewrap.graph.LoaderPaths;
import dev.closurewrap.store.Closure;
import dev.closurewrap.store.ClosureItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Host mode: every host file a bundle of host programs holds, once the graph has found what the
 * host's loader would load for the roots. Each file is its own member, at its real path:
 *
 * <ul>
 *   <li>the root programs and every library the loader loads for them (the graph's members and
 *       the targets of its edges, for a library given as a root), with the loader itself
 *       ({@code ld-linux-x86-64.so.2}) even where no library names it;
 *   <li>the soname links beside each library that a {@code DT_NEEDED} name found
 *       ({@code libcurl.so.4 -> libcurl.so.4.8.0}), so a {@code dlopen} by soname through a
 *       bundled RUNPATH finds the same file;
 *   <li>a root given as a link ({@code /usr/bin/vi}), in its real directory, so the program still
 *       sees the name it was called by.
 * </ul>
 */
final class HostClosure {
    private HostClosure() {}

    static Closure of(Closure roots, DependencyGraph graph) throws IOException {
        Set<Path> members = new TreeSet<>();
        graph.members().forEach(m -> members.add(m.path()));
        for (DependencyGraph.ObjectNode o : graph.objects()) {
            if (o.object().interpreter().isPresent()) {
                realFile(LoaderPaths.toPath(LoaderPaths.of(o.object().interpreter().get()))).ifPresent(members::add);
            }
        }
        for (DependencyGraph.Edge e : graph.edges()) {
            if (e.to().isEmpty()) {
                continue;
            }
            Path target = LoaderPaths.toPath(e.to().get());
            // What a library root loads (the graph adds only what programs load to its members).
            realFile(target).ifPresent(members::add);
            if (e.needed().contains((byte) '/') || !e.needed().isValidUtf8()) {
                continue;
            }
            Path link = target.resolveSibling(e.needed().utf8());
            if (!link.equals(target) && Files.isSymbolicLink(link) && realFile(link).equals(Optional.of(target))) {
                members.add(link);
            }
        }
        for (Path root : roots.roots()) {
            Path given = root.toAbsolutePath().normalize();
            if (given.getParent() != null) {
                Path there = given.getParent().toRealPath().resolve(given.getFileName());
                if (Files.isSymbolicLink(there)) {
                    members.add(there);
                }
            }
        }
        List<ClosureItem> items = new ArrayList<>();
        members.forEach(m -> items.add(new ClosureItem(m, Set.of(), ClosureItem.Kind.HOST_FILE)));
        return new Closure(Optional.empty(), roots.roots(), items, roots.origin());
    }

    private static Optional<Path> realFile(Path path) {
        try {
            Path real = path.toRealPath();
            return Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
