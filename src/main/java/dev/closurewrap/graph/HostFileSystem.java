package dev.closurewrap.graph;

import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real file system, with every answer remembered: a closure's files do not change while its
 * graph is built, and thousands of programs ask about the same directories. Thread-safe.
 */
public final class HostFileSystem implements FileSystemView {
    private final Map<String, Boolean> exists = new ConcurrentHashMap<>();
    private final Map<String, Boolean> directories = new ConcurrentHashMap<>();
    private final Map<String, Optional<LoadableObject>> objects = new ConcurrentHashMap<>();
    private final Map<String, Optional<String>> canonical = new ConcurrentHashMap<>();

    @Override
    public void remember(String canonicalPath, LoadableObject object) {
        objects.put(canonicalPath, Optional.of(object));
    }

    @Override
    public boolean exists(String path) {
        return exists.computeIfAbsent(path, p -> toPath(p).map(Files::exists).orElse(false));
    }

    @Override
    public boolean isDirectory(String path) {
        return directories.computeIfAbsent(path, p -> toPath(p).map(Files::isDirectory).orElse(false));
    }

    @Override
    public Optional<String> canonical(String path) throws IOException {
        // realpath costs a readlink per path element, and every program asks for the same libraries.
        Optional<String> known = canonical.get(path);
        if (known == null) {
            known = realPath(path);
            canonical.put(path, known);
        }
        return known;
    }

    private static Optional<String> realPath(String path) throws IOException {
        Optional<Path> file = toPath(path);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LoaderPaths.of(file.get().toRealPath()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Opened> open(String path) throws IOException {
        if (!exists(path) || isDirectory(path)) {
            return Optional.empty();
        }
        Optional<String> found = canonical(path);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String canonical = found.get();
        Optional<LoadableObject> object = objects.get(canonical);
        if (object == null) {
            try {
                object = ElfFile.openIfElf(LoaderPaths.toPath(canonical)).map(LoadableObject::of);
            } catch (BadInputException | UnsupportedInputException e) {
                // The loader rejects such a file; so does the model.
                object = Optional.empty();
            }
            objects.put(canonical, object);
        }
        return object.map(o -> new Opened(canonical, o));
    }

    private static Optional<Path> toPath(String path) {
        try {
            return Optional.of(LoaderPaths.toPath(path));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
