package dev.closurewrap.graph;

import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The global dependency graph of a closure: store paths (or host files) and the ELF objects in
 * them as nodes, one edge per DT_NEEDED resolution, what did not resolve inside the closure, and
 * per program its load order and the failed lookups its loader makes now and after each rewrite.
 * Object paths are canonical (symlinks resolved); loader strings are ISO-8859-1 byte strings
 * ({@link LoaderPaths}).
 */
public record DependencyGraph(Optional<Path> storeDir, List<Path> roots, String origin, List<Member> members,
        List<ObjectNode> objects, List<Edge> edges, List<Unresolved> unresolved, List<Program> programs,
        List<ScannedFile.Script> scripts, List<ScannedFile.Symlink> symlinks, List<ScannedFile.BrokenElf> broken,
        int fileCount) {

    public DependencyGraph {
        Objects.requireNonNull(storeDir, "storeDir");
        roots = List.copyOf(roots);
        Objects.requireNonNull(origin, "origin");
        members = List.copyOf(members);
        objects = List.copyOf(objects);
        edges = List.copyOf(edges);
        unresolved = List.copyOf(unresolved);
        programs = List.copyOf(programs);
        scripts = List.copyOf(scripts);
        symlinks = List.copyOf(symlinks);
        broken = List.copyOf(broken);
    }

    /** A store path (or host file) with its references and what the scan found in it. */
    public record Member(Path path, Set<Path> references, int files, int elfObjects) {
        public Member {
            Objects.requireNonNull(path, "path");
            references = Set.copyOf(references);
        }
    }

    /** An ELF object: its canonical path, the member holding it, and what its loader reads. */
    public record ObjectNode(String path, Optional<Path> member, LoadableObject object, String sha256) {
        public ObjectNode {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * One resolution of a DT_NEEDED entry. The same entry can resolve differently under different
     * programs (inherited RPATH, objects already loaded): each distinct outcome is one edge.
     */
    public record Edge(String from, ByteString needed, Optional<String> to, How how, Optional<String> directory,
            boolean insideClosure) {
        public Edge {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(needed, "needed");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(how, "how");
            Objects.requireNonNull(directory, "directory");
        }
    }

    /**
     * A DT_NEEDED entry that does not resolve inside the closure: not found at all, or found
     * outside it ({@code foundAt}); {@code programs} are the programs whose start needs it.
     */
    public record Unresolved(String object, ByteString needed, Optional<String> foundAt, List<String> programs) {
        public Unresolved {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(needed, "needed");
            Objects.requireNonNull(foundAt, "foundAt");
            programs = List.copyOf(programs);
        }
    }

    /** Failed file lookups at start-up: as the files are, and as predicted after each rewrite mode. */
    public record Lookups(int now, int relative, int absolute) {}

    /** A dynamically linked program: its loader, its load order and its stat storm. */
    public record Program(String path, LoaderFamily family, String interpreter, List<String> loadOrder,
            Lookups lookups) {
        public Program {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(family, "family");
            Objects.requireNonNull(interpreter, "interpreter");
            loadOrder = List.copyOf(loadOrder);
            Objects.requireNonNull(lookups, "lookups");
        }
    }

    public Lookups totalLookups() {
        int now = 0;
        int relative = 0;
        int absolute = 0;
        for (Program p : programs) {
            now += p.lookups.now;
            relative += p.lookups.relative;
            absolute += p.lookups.absolute;
        }
        return new Lookups(now, relative, absolute);
    }
}
