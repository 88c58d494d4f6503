package dev.closurewrap.bundle;

import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code closure-wrap verify} found in a bundle, as data: every library that would not load
 * from inside the bundle, every program whose loader is outside it, every remaining string naming
 * the old store, and every program relative mode cannot serve. Paths of files inside the bundle are
 * relative to its root ({@code store/<hash>-<name>/...}); paths outside it are absolute. Loader
 * strings keep their bytes ({@link ByteString}).
 *
 * @param bundle the bundle's root as verified (canonical)
 * @param storeDir the old store directory references were searched for
 * @param objects ELF objects in the bundle
 * @param programs dynamically linked programs whose start was simulated
 * @param librariesAlone libraries no program loads, simulated as loaded on their own
 * @param filesScanned regular files and symlinks scanned for store references
 * @param unresolved DT_NEEDED entries that do not resolve inside the bundle
 * @param interpreters programs whose loader is not inside the bundle
 * @param references every remaining reference to the old store, by file and offset
 * @param secureExec programs relative mode cannot serve
 * @param notes things verify could not check, for people
 */
public record VerifyReport(String bundle, String storeDir, int objects, int programs, int librariesAlone,
        long filesScanned, List<UnresolvedLibrary> unresolved, List<InterpreterProblem> interpreters,
        List<RemainingReference> references, List<SecureExecCase> secureExec, List<String> notes) {

    public VerifyReport {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(storeDir, "storeDir");
        unresolved = List.copyOf(unresolved);
        interpreters = List.copyOf(interpreters);
        references = List.copyOf(references);
        secureExec = List.copyOf(secureExec);
        notes = List.copyOf(notes);
    }

    /** Where a loader finds (or would find) a file. */
    public enum Location {
        /** Inside the bundle: what a bundle needs. */
        BUNDLE("bundle"),
        /** In the old store directory: works only where that store still exists. */
        OLD_STORE("old-store"),
        /** Elsewhere on this machine: the host's libraries, which the target may not have. */
        HOST("host"),
        /** Nowhere: the program would not start. */
        NOWHERE("not-found");

        private final String label;

        Location(String label) {
            this.label = label;
        }

        /** The word in the JSON output. */
        public String label() {
            return label;
        }
    }

    /**
     * One DT_NEEDED entry of an object in the bundle that does not resolve inside it.
     *
     * @param object the requesting object, relative to the bundle
     * @param needed the DT_NEEDED string
     * @param location where the loader finds it instead, never {@link Location#BUNDLE}
     * @param foundAt the path it is found at (empty when not found)
     * @param programs the programs whose start needs this entry, relative to the bundle; empty when
     *     only the object on its own was simulated (a library no program loads)
     */
    public record UnresolvedLibrary(String object, ByteString needed, Location location, Optional<String> foundAt,
            List<String> programs) {
        public UnresolvedLibrary {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(needed, "needed");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(foundAt, "foundAt");
            programs = List.copyOf(programs);
            if (location == Location.BUNDLE || foundAt.isEmpty() != (location == Location.NOWHERE)) {
                throw new IllegalArgumentException(location + " with " + foundAt);
            }
        }
    }

    /**
     * A program started by its PT_INTERP (no launcher or exec shim runs it through the bundle's
     * loader) whose interpreter is not inside the bundle.
     */
    public record InterpreterProblem(String program, ByteString interpreter, Location location) {
        public InterpreterProblem {
            Objects.requireNonNull(program, "program");
            Objects.requireNonNull(interpreter, "interpreter");
            if (location == null || location == Location.BUNDLE) {
                throw new IllegalArgumentException("location " + location);
            }
        }
    }

    /**
     * A string naming the old store: {@code <storedir>/<hash>-<name>} at {@code offset} of
     * {@code file}. For a symlink the offset is into its target. {@code section} names the ELF
     * section holding the offset, when the file is ELF and has one there. {@code shimmedInterpreter}:
     * the string is the PT_INTERP of a program that a launcher or exec shim runs through the
     * bundle's loader, so it is never used (relative mode leaves it on purpose).
     */
    public record RemainingReference(String file, long offset, ByteString string, Optional<String> section,
            boolean symlink, boolean shimmedInterpreter) {
        public RemainingReference {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(string, "string");
            Objects.requireNonNull(section, "section");
        }
    }

    /**
     * A program that runs with AT_SECURE where it is installed, so that $ORIGIN in DT_NEEDED is fatal
     * and $ORIGIN in RUNPATH is ignored; or that relative mode's exec shim would strip of its privilege.
     *
     * @param program relative to the bundle
     * @param reasons why it runs privileged: {@code setuid}, {@code setgid}, {@code capabilities ...},
     *     {@code NixOS security wrapper}
     * @param originInNeeded whether its start loads an object with $ORIGIN in DT_NEEDED
     * @param originInSearchPath whether its start relies on an object's $ORIGIN search path
     */
    public record SecureExecCase(String program, List<String> reasons, boolean originInNeeded,
            boolean originInSearchPath) {
        public SecureExecCase {
            Objects.requireNonNull(program, "program");
            reasons = List.copyOf(reasons);
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("no reason");
            }
        }
    }

    /** Whether every library resolves inside the bundle and every program's loader is in it. */
    public boolean librariesClean() {
        return unresolved.isEmpty() && interpreters.isEmpty();
    }

    /** Whether nothing at all was found, warnings included: what {@code --strict} asks for. */
    public boolean clean() {
        return librariesClean() && references.isEmpty() && secureExec.isEmpty();
    }
}
