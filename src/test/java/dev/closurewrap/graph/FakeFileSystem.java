package dev.closurewrap.graph;

import dev.closurewrap.elf.ElfConstants;
import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An in-memory file system of ELF objects, directories and symlinks for the loader model tests. */
final class FakeFileSystem implements FileSystemView {
    private final Map<String, LoadableObject> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();
    private final Set<String> dirs = new HashSet<>(Set.of("/"));

    FakeFileSystem add(String path, LoadableObject object) {
        files.put(path, object);
        addParents(path);
        return this;
    }

    FakeFileSystem link(String path, String target) {
        links.put(path, target);
        addParents(path);
        return this;
    }

    FakeFileSystem dir(String path) {
        dirs.add(path);
        addParents(path);
        return this;
    }

    private void addParents(String path) {
        for (Path p = Path.of(path).getParent(); p != null; p = p.getParent()) {
            dirs.add(p.toString());
        }
    }

    private String resolve(String path) {
        String normal = Path.of(path).normalize().toString();
        String target = links.get(normal);
        return target != null ? target : normal;
    }

    @Override
    public boolean exists(String path) {
        String p = resolve(path);
        return files.containsKey(p) || dirs.contains(p);
    }

    @Override
    public Optional<String> canonical(String path) {
        return exists(path) ? Optional.of(resolve(path)) : Optional.empty();
    }

    @Override
    public boolean isDirectory(String path) {
        return dirs.contains(resolve(path));
    }

    @Override
    public Optional<Opened> open(String path) {
        String p = resolve(path);
        LoadableObject object = files.get(p);
        return object == null ? Optional.empty() : Optional.of(new Opened(p, object));
    }

    // ---- objects ----

    static ObjectSpec program(String interpreter) {
        return new ObjectSpec(ElfKind.PIE_EXECUTABLE, Optional.of(interpreter));
    }

    static ObjectSpec library(String soname) {
        return new ObjectSpec(ElfKind.SHARED_LIBRARY, Optional.empty()).soname(soname);
    }

    /** A small builder for {@link LoadableObject}s. */
    static final class ObjectSpec {
        private final ElfKind kind;
        private final Optional<String> interpreter;
        private LoaderFamily family = LoaderFamily.GLIBC;
        private List<String> needed = List.of();
        private Optional<String> soname = Optional.empty();
        private Optional<String> rpath = Optional.empty();
        private Optional<String> runpath = Optional.empty();
        private boolean noDefaultLib;
        private int elfClass = ElfConstants.ELFCLASS64;

        ObjectSpec(ElfKind kind, Optional<String> interpreter) {
            this.kind = kind;
            this.interpreter = interpreter;
        }

        ObjectSpec needs(String... names) {
            needed = List.of(names);
            return this;
        }

        ObjectSpec soname(String name) {
            soname = Optional.of(name);
            return this;
        }

        ObjectSpec rpath(String path) {
            rpath = Optional.of(path);
            return this;
        }

        ObjectSpec runpath(String path) {
            runpath = Optional.of(path);
            return this;
        }

        ObjectSpec musl() {
            family = LoaderFamily.MUSL;
            return this;
        }

        ObjectSpec noDefaultLib() {
            noDefaultLib = true;
            return this;
        }

        ObjectSpec elf32() {
            elfClass = ElfConstants.ELFCLASS32;
            return this;
        }

        LoadableObject build() {
            return new LoadableObject(kind, family, elfClass, ElfConstants.EM_X86_64,
                    interpreter.map(ByteString::utf8), needed.stream().map(ByteString::utf8).toList(),
                    soname.map(ByteString::utf8), rpath.map(ByteString::utf8), runpath.map(ByteString::utf8),
                    noDefaultLib);
        }
    }
}
