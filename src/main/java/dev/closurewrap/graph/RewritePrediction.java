package dev.closurewrap.graph;

import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The dynamic information each object of a program would have after a rewrite, made from that
 * program's trace, so the same loader model can predict the lookups after it (docs/graph.md):
 *
 * <ul>
 * <li>relative, glibc: every entry found inside the closure becomes {@code $ORIGIN/<relative path>}
 *     and the original names follow, matched by soname to the objects already loaded;
 * <li>relative, musl: names stay; RUNPATH becomes the {@code $ORIGIN}-relative directories of
 *     the targets, in order;
 * <li>absolute: every entry found inside the closure becomes the target's absolute path, and a
 *     program also gets every library it loads, in load order.
 * </ul>
 *
 * The loader's own entry and entries not found inside the closure stay as they are.
 */
final class RewritePrediction {
    private RewritePrediction() {}

    enum Mode {
        RELATIVE,
        ABSOLUTE
    }

    static Map<String, LoadableObject> substitute(LoadTrace trace, Map<String, LoadableObject> objects,
            String programCanonical, LoaderFamily family, Mode mode, Predicate<String> insideClosure) {
        Map<String, List<Resolution>> byRequester = new LinkedHashMap<>();
        for (Resolution r : trace.resolutions()) {
            byRequester.computeIfAbsent(r.requester(), k -> new ArrayList<>()).add(r);
        }
        Map<String, LoadableObject> result = new HashMap<>();
        for (Map.Entry<String, List<Resolution>> entry : byRequester.entrySet()) {
            String requester = entry.getKey();
            LoadableObject object = objects.get(requester);
            if (object == null) {
                continue;
            }
            List<Resolution> resolutions = entry.getValue();
            LoadableObject rewritten;
            if (mode == Mode.RELATIVE && family == LoaderFamily.MUSL) {
                Set<String> dirs = new LinkedHashSet<>();
                for (Resolution r : resolutions) {
                    if (rewritable(r, insideClosure)) {
                        dirs.add(origin(requester, LoaderPaths.dirname(r.target().get())));
                    }
                }
                rewritten = dirs.isEmpty() ? object
                        : object.withRunpath(Optional.of(LoaderPaths.bytes(String.join(":", dirs))));
            } else if (mode == Mode.RELATIVE) {
                List<ByteString> paths = new ArrayList<>();
                for (Resolution r : resolutions) {
                    if (rewritable(r, insideClosure)) {
                        paths.add(LoaderPaths.bytes(origin(requester, r.target().get())));
                    }
                }
                List<ByteString> needed = new ArrayList<>(paths);
                needed.addAll(object.needed());
                rewritten = object.withNeeded(needed);
            } else {
                LinkedHashSet<ByteString> needed = new LinkedHashSet<>();
                for (ByteString name : object.needed()) {
                    Optional<Resolution> r = resolutions.stream().filter(x -> x.needed().equals(name)).findFirst();
                    needed.add(r.isPresent() && rewritable(r.get(), insideClosure)
                            ? LoaderPaths.bytes(r.get().target().get()) : name);
                }
                if (requester.equals(programCanonical)) {
                    Set<String> loaders = new java.util.HashSet<>();
                    trace.resolutions().stream().filter(x -> x.how() == How.LOADER)
                            .forEach(x -> loaders.add(x.target().get()));
                    for (LoadTrace.Loaded loaded : trace.loadOrder()) {
                        if (!loaders.contains(loaded.canonicalPath()) && insideClosure.test(loaded.canonicalPath())) {
                            needed.add(LoaderPaths.bytes(loaded.canonicalPath()));
                        }
                    }
                }
                rewritten = object.withNeeded(List.copyOf(needed));
            }
            result.put(requester, rewritten);
        }
        return result;
    }

    private static boolean rewritable(Resolution r, Predicate<String> insideClosure) {
        return r.resolved() && r.how() != How.LOADER && insideClosure.test(r.target().get());
    }

    /** {@code $ORIGIN/<path from the requester's directory to target>}. */
    private static String origin(String requester, String target) {
        Path from = LoaderPaths.toPath(LoaderPaths.dirname(requester));
        String relative = LoaderPaths.of(from.relativize(LoaderPaths.toPath(target)));
        return relative.isEmpty() ? "$ORIGIN" : "$ORIGIN/" + relative;
    }
}
