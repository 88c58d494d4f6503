package dev.closurewrap.plan;

import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every output entry's plan for one job, sorted by target path bytes, with what the planner found
 * worth saying.
 *
 * @param mode the rewrite
 * @param tree where the closure goes in the bundle: {@code store/}, or {@code host/} for host programs
 * @param storeDir the store the closure lives in; {@code /} for host programs (the tree mirrors it)
 * @param prefix absolute mode: the directory the store paths sit in at run time
 * @param files one plan per output entry, sorted by target
 * @param problems files that are copied unchanged although they should have been handled (a file with
 *     the ELF magic the reader rejects), by target: the job reports them as failed
 * @param notes things the user should know that are not a file's failure (unresolved libraries,
 *     setuid programs in relative mode, executables whose loader is not in the bundle, launcher name clashes)
 */
public record JobPlan(Mode mode, Tree tree, Path storeDir, Optional<Path> prefix, List<FilePlan> files,
                      Map<ByteString, String> problems, List<String> notes) {
    public JobPlan {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(storeDir, "storeDir");
        Objects.requireNonNull(prefix, "prefix");
        List<FilePlan> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(FilePlan::target));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).target().equals(sorted.get(i - 1).target())) {
                throw new IllegalArgumentException("two plans for " + sorted.get(i).target());
            }
        }
        files = List.copyOf(sorted);
        problems = java.util.Collections.unmodifiableMap(new TreeMap<>(problems));
        notes = List.copyOf(notes);
    }

    /** A plan for store paths ({@link Tree#STORE}). */
    public JobPlan(Mode mode, Path storeDir, Optional<Path> prefix, List<FilePlan> files,
                   Map<ByteString, String> problems, List<String> notes) {
        this(mode, Tree.STORE, storeDir, prefix, files, problems, notes);
    }

    /** Files whose plan edits them (ELF edits, scripts, text), not counting generated files. */
    public long editedCount() {
        return files.stream().filter(f -> f.action() instanceof Action.EditElf
                || f.action() instanceof Action.RelocateScript || f.action() instanceof Action.PrefixText).count();
    }
}
