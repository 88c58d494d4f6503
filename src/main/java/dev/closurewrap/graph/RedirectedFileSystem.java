package dev.closurewrap.graph;

import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A closure restored somewhere else than the store it was built for, as its loaders would see it
 * in place: paths under the store it was built for ({@code /nix/store}) are looked up under the
 * directory it was restored to, and symlinks are followed here, one component at a time, so an
 * absolute link into {@code /nix/store} stays inside the restored tree. Paths in and out are the
 * built-for ones. Thread-safe; every answer is remembered.
 */
public final class RedirectedFileSystem implements FileSystemView {
    private static final int MAX_LINKS = 40;

    private final String builtFor;
    private final String restoredAt;
    private final Map<String, Optional<String>> canonical = new ConcurrentHashMap<>();
    private final Map<String, Optional<LoadableObject>> objects = new ConcurrentHashMap<>();

    /** {@code builtFor} (e.g. {@code /nix/store}) is found at {@code restoredAt}. */
    public RedirectedFileSystem(String builtFor, String restoredAt) {
        this.builtFor = builtFor;
        this.restoredAt = restoredAt;
    }

    /** Where a built-for path is on this machine. */
    public String physical(String path) {
        if (path.equals(builtFor) || path.startsWith(builtFor + "/")) {
            return restoredAt + path.substring(builtFor.length());
        }
        return path;
    }

    /** The built-for path of a file on this machine. */
    public String logical(String path) {
        if (path.equals(restoredAt) || path.startsWith(restoredAt + "/")) {
            return builtFor + path.substring(restoredAt.length());
        }
        return path;
    }

    @Override
    public void remember(String canonicalPath, LoadableObject object) {
        objects.put(canonicalPath, Optional.of(object));
    }

    @Override
    public boolean exists(String path) {
        try {
            return canonical(path).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean isDirectory(String path) {
        try {
            Optional<String> c = canonical(path);
            return c.isPresent() && Files.isDirectory(LoaderPaths.toPath(physical(c.get())), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<String> canonical(String path) throws IOException {
        Optional<String> known = canonical.get(path);
        if (known == null) {
            known = resolve(path);
            canonical.put(path, known);
        }
        return known;
    }

    @Override
    public Optional<Opened> open(String path) throws IOException {
        Optional<String> found = canonical(path);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Path file = LoaderPaths.toPath(physical(found.get()));
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<LoadableObject> object = objects.get(found.get());
        if (object == null) {
            try {
                object = ElfFile.openIfElf(file).map(LoadableObject::of);
            } catch (BadInputException | UnsupportedInputException e) {
                object = Optional.empty();
            }
            objects.put(found.get(), object);
        }
        return object.map(o -> new Opened(found.get(), o));
    }

    /** {@code realpath} over built-for paths: '.', '..' and symlinks resolved, links read here. */
    private Optional<String> resolve(String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path.startsWith("/") ? path : "/" + path);
        StringBuilder done = new StringBuilder();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                int slash = done.lastIndexOf("/");
                done.setLength(Math.max(slash, 0));
                continue;
            }
            String next = done + "/" + part;
            Path physical;
            try {
                physical = LoaderPaths.toPath(physical(next));
            } catch (java.nio.file.InvalidPathException e) {
                return Optional.empty();
            }
            if (Files.isSymbolicLink(physical)) {
                if (++links > MAX_LINKS) {
                    return Optional.empty();
                }
                String target = LoaderPaths.of(Files.readSymbolicLink(physical));
                if (target.startsWith("/")) {
                    done.setLength(0);
                    // A link written as a path on this machine (under the restore directory) counts too.
                    target = logical(target);
                }
                push(todo, target);
                continue;
            }
            if (!Files.exists(physical, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            done.setLength(0);
            done.append(next);
        }
        return Optional.of(done.length() == 0 ? "/" : done.toString());
    }

    /** Pushes the components of {@code path} so that the first is popped first. */
    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }
}
