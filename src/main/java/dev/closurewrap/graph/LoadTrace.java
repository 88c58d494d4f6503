package dev.closurewrap.graph;

import java.util.List;
import java.util.Objects;

/**
 * What the loader does when one program starts: the objects it loads in order, how each DT_NEEDED
 * entry resolved, and every file lookup that failed on the way.
 *
 * @param program        the program's path
 * @param loadOrder      the loaded objects in the order of the loader's list, after the program
 *                       (the loader itself where it enters the breadth-first order)
 * @param resolutions    every DT_NEEDED entry the loader processed, in processing order
 * @param failedLookups  the paths of every open/stat that fails with ENOENT, in order
 *                       (not counting {@code /etc/ld.so.preload}, which is probed once per process)
 */
public record LoadTrace(String program, List<Loaded> loadOrder, List<Resolution> resolutions,
        List<String> failedLookups) {

    public LoadTrace {
        Objects.requireNonNull(program, "program");
        loadOrder = List.copyOf(loadOrder);
        resolutions = List.copyOf(resolutions);
        failedLookups = List.copyOf(failedLookups);
    }

    /** One loaded object: the name it has in the process (the path it was opened at) and its file. */
    public record Loaded(String name, String canonicalPath) {}

    public List<Resolution> unresolved() {
        return resolutions.stream().filter(r -> !r.resolved()).toList();
    }

    public int failedLookupCount() {
        return failedLookups.size();
    }
}
