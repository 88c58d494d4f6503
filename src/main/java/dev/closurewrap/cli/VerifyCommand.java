package dev.closurewrap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.bundle.BundleVerifier;
import dev.closurewrap.bundle.VerifyReport;
import dev.closurewrap.bundle.VerifyReport.InterpreterProblem;
import dev.closurewrap.bundle.VerifyReport.Location;
import dev.closurewrap.bundle.VerifyReport.RemainingReference;
import dev.closurewrap.bundle.VerifyReport.SecureExecCase;
import dev.closurewrap.bundle.VerifyReport.UnresolvedLibrary;
import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code closure-wrap verify BUNDLE [--json] [--strict]}: would this bundle run from where it is now? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Simulate the dynamic loader (glibc or musl rules) for every program and library in BUNDLE, from",
            "where BUNDLE is now, and report every library that would not load from inside it (where it would",
            "be found instead: the old store, the host, or nowhere), every program whose loader is outside it,",
            "every remaining string naming the old store (file, offset, string), and every program relative",
            "mode cannot serve (setuid, setgid, file capabilities, NixOS security wrappers).",
            "Exit 0 when every library resolves inside the bundle, 1 when one does not. Remaining strings and",
            "privileged programs are warnings, failures with --strict. See docs/verify.md."
        })
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The bundle's directory (holding store/).")
    Path bundle;

    @Option(names = "--json", description = "Everything found, as one JSON object (docs/verify.md), for machines.")
    boolean json;

    @Option(names = "--strict", description = "Fail (exit 1) on remaining store references and privileged programs too.")
    boolean strict;

    @Option(names = "--store-dir", paramLabel = "DIR",
            description = "The old store directory (default: the manifest's, else /nix/store).")
    Path storeDir;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "Text output: list at most N entries of each kind (default ${DEFAULT-VALUE}; --json lists all).")
    int limit;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Worker threads (default: the number of cores).")
    Integer jobs;

    @Option(names = "--probe-loader",
            description = "Run each glibc loader simulated (the bundle's own: LOADER --list-diagnostics) to learn "
                    + "its search settings, instead of assuming Debian 12's glibc 2.36. Executes a file of the "
                    + "bundle: only for bundles you trust.")
    boolean probeLoader;

    @Override
    public Integer call() throws IOException {
        int threads = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, got " + threads);
        }
        if (limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must not be negative, got " + limit);
        }
        Path store = storeDir != null ? storeDir : manifestStoreDir(bundle).orElse(Path.of("/nix/store"));
        if (!store.isAbsolute()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--store-dir must be absolute, got " + store);
        }
        // Verifying runs nothing from the bundle unless asked to.
        BundleVerifier.Options options = probeLoader ? BundleVerifier.Options.probing(store, threads)
                : BundleVerifier.Options.defaults(store, threads);
        VerifyReport report = new BundleVerifier(options).verify(bundle);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            JsonGenerator generator = mapper.getFactory().createGenerator(out).useDefaultPrettyPrinter();
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            generator.writeTree(toJson(report, strict));
            generator.flush();
            out.println();
        } else {
            printText(out, report, strict, limit);
        }
        out.flush();
        return passed(report, strict) ? ExitCodes.OK : ExitCodes.SOME_FILES_FAILED;
    }

    static boolean passed(VerifyReport report, boolean strict) {
        return strict ? report.clean() : report.librariesClean();
    }

    /** The old store directory the manifest names ({@code "store_dir"}), if there is a readable one. */
    static java.util.Optional<Path> manifestStoreDir(Path bundle) throws IOException {
        Path manifest = bundle.resolve(BundleVerifier.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return java.util.Optional.empty();
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifest.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException("JSON", manifest.toString(), e.getLocation() == null ? BadInputException.NO_OFFSET
                    : e.getLocation().getCharOffset(), e.getOriginalMessage());
        }
        for (String key : List.of("store_dir", "storeDir", "store-dir")) {
            JsonNode value = root == null ? null : root.get(key);
            if (value != null && value.isTextual() && value.asText().startsWith("/")) {
                return java.util.Optional.of(Path.of(value.asText()));
            }
        }
        return java.util.Optional.empty();
    }

    // ---- text ----

    /** Text output: entries shown under each file or object. */
    private static final int PER_FILE = 3;

    static void printText(PrintWriter out, VerifyReport r, boolean strict, int limit) {
        out.printf("closure-wrap verify: %s (old store %s)%n", r.bundle(), r.storeDir());
        out.printf("  %d ELF objects: %d programs started, %d libraries loaded on their own; %,d files scanned%n",
                r.objects(), r.programs(), r.librariesAlone(), r.filesScanned());

        if (!r.unresolved().isEmpty()) {
            Map<String, List<UnresolvedLibrary>> byObject = new LinkedHashMap<>();
            r.unresolved().forEach(u -> byObject.computeIfAbsent(u.object(), k -> new ArrayList<>()).add(u));
            out.printf("%nLibraries that would not load from inside the bundle: %d in %d objects%n",
                    r.unresolved().size(), byObject.size());
            int objects = 0;
            for (Map.Entry<String, List<UnresolvedLibrary>> e : byObject.entrySet()) {
                if (objects++ == limit) {
                    out.printf("  ... %d more objects (--json lists all)%n", byObject.size() - limit);
                    break;
                }
                List<UnresolvedLibrary> entries = e.getValue();
                List<String> starters = entries.stream().flatMap(u -> u.programs().stream()).distinct().sorted().toList();
                out.printf("  %s%s:%n", e.getKey(), programs(starters, e.getKey()));
                for (int i = 0; i < Math.min(PER_FILE, entries.size()); i++) {
                    UnresolvedLibrary u = entries.get(i);
                    out.printf("    %s -> %s%n", u.needed(),
                            u.foundAt().map(at -> at + " (" + where(u.location()) + ")").orElse("not found"));
                }
                if (entries.size() > PER_FILE) {
                    out.printf("    ... %d more%n", entries.size() - PER_FILE);
                }
            }
        }
        if (!r.interpreters().isEmpty()) {
            out.printf("%nPrograms started by a loader outside the bundle (no launcher or exec shim): %d%n",
                    r.interpreters().size());
            int shown = 0;
            for (InterpreterProblem p : r.interpreters()) {
                if (shown++ == limit) {
                    out.printf("  ... %d more (--json lists all)%n", r.interpreters().size() - limit);
                    break;
                }
                out.printf("  %s: %s (%s)%n", p.program(), p.interpreter(),
                        p.location() == Location.NOWHERE ? "not found" : where(p.location()));
            }
        }
        if (!r.references().isEmpty()) {
            Map<String, List<RemainingReference>> byFile = new LinkedHashMap<>();
            r.references().forEach(ref -> byFile.computeIfAbsent(ref.file(), k -> new ArrayList<>()).add(ref));
            long shimmed = r.references().stream().filter(RemainingReference::shimmedInterpreter).count();
            out.printf("%nStrings still naming %s: %d in %d files (%s%s)%n", r.storeDir(), r.references().size(),
                    byFile.size(), strict ? "failures with --strict" : "warnings",
                    shimmed == 0 ? "" : "; " + shimmed + " of them the unused PT_INTERP of programs run by a shim");
            int files = 0;
            for (Map.Entry<String, List<RemainingReference>> e : byFile.entrySet()) {
                if (files++ == limit) {
                    out.printf("  ... %d more files (--json lists all)%n", byFile.size() - limit);
                    break;
                }
                List<RemainingReference> refs = e.getValue();
                out.printf("  %s: %d%n", e.getKey(), refs.size());
                for (int i = 0; i < Math.min(PER_FILE, refs.size()); i++) {
                    RemainingReference ref = refs.get(i);
                    out.printf("    %s %s%s%n", ref.symlink() ? "link target" : String.format("0x%x", ref.offset()),
                            ref.string(), ref.section().map(s -> " (" + s + (ref.shimmedInterpreter()
                                    ? ", unused: a shim runs it" : "") + ")").orElse(""));
                }
                if (refs.size() > PER_FILE) {
                    out.printf("    ... %d more%n", refs.size() - PER_FILE);
                }
            }
        }
        if (!r.secureExec().isEmpty()) {
            out.printf("%nPrograms relative mode cannot serve (AT_SECURE): %d (%s; use --absolute for them)%n",
                    r.secureExec().size(), strict ? "failures with --strict" : "warnings");
            int shown = 0;
            for (SecureExecCase c : r.secureExec()) {
                if (shown++ == limit) {
                    out.printf("  ... %d more (--json lists all)%n", r.secureExec().size() - limit);
                    break;
                }
                out.printf("  %s: %s; %s%n", c.program(), String.join(", ", c.reasons()), consequence(c));
            }
        }
        for (String note : r.notes()) {
            out.printf("%nnote: %s%n", note);
        }
        out.println();
        if (passed(r, strict)) {
            out.println(r.clean() ? "OK: every library resolves inside the bundle; nothing names the old store."
                    : "OK: every library resolves inside the bundle (see the warnings above).");
        } else if (!r.librariesClean()) {
            out.printf("FAILED: %d libraries and %d program loaders would not come from the bundle.%n",
                    r.unresolved().size(), r.interpreters().size());
        } else {
            out.println("FAILED (--strict): libraries resolve, but warnings remain.");
        }
    }

    private static String where(Location location) {
        return switch (location) {
            case OLD_STORE -> "old store";
            case HOST -> "host";
            case BUNDLE -> "bundle";
            case NOWHERE -> "not found";
        };
    }

    private static String programs(List<String> programs, String object) {
        if (programs.isEmpty()) {
            return " (no program loads it from the bundle: checked on its own)";
        }
        if (programs.size() == 1 && programs.get(0).equals(object)) {
            return "";
        }
        return " (started by " + (programs.size() == 1 ? "" : programs.size() + " programs, e.g. ")
                + programs.get(0) + ")";
    }

    static String consequence(SecureExecCase c) {
        if (c.originInNeeded()) {
            return "$ORIGIN in DT_NEEDED is fatal under AT_SECURE";
        }
        if (c.originInSearchPath()) {
            return "$ORIGIN search paths are ignored under AT_SECURE";
        }
        return "an exec shim runs it through ld.so, which drops its privilege";
    }

    // ---- JSON ----

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static ObjectNode toJson(VerifyReport r, boolean strict) {
        ObjectNode n = NODES.objectNode();
        n.put("bundle", r.bundle());
        n.put("store_dir", r.storeDir());
        n.put("ok", passed(r, strict));
        n.put("libraries_clean", r.librariesClean());
        n.put("strict", strict);
        ObjectNode counts = n.putObject("counts");
        counts.put("objects", r.objects());
        counts.put("programs", r.programs());
        counts.put("libraries_alone", r.librariesAlone());
        counts.put("files_scanned", r.filesScanned());
        counts.put("unresolved", r.unresolved().size());
        counts.put("interpreters", r.interpreters().size());
        counts.put("references", r.references().size());
        counts.put("secure_exec", r.secureExec().size());
        ArrayNode unresolved = n.putArray("unresolved");
        for (UnresolvedLibrary u : r.unresolved()) {
            ObjectNode o = unresolved.addObject();
            o.put("object", u.object());
            o.set("needed", InspectCommand.bytes(u.needed()));
            o.put("location", u.location().label());
            if (u.foundAt().isPresent()) {
                o.put("found_at", u.foundAt().get());
            } else {
                o.putNull("found_at");
            }
            ArrayNode programs = o.putArray("programs");
            u.programs().forEach(programs::add);
        }
        ArrayNode interpreters = n.putArray("interpreters");
        for (InterpreterProblem p : r.interpreters()) {
            ObjectNode o = interpreters.addObject();
            o.put("program", p.program());
            o.set("interpreter", InspectCommand.bytes(p.interpreter()));
            o.put("location", p.location().label());
        }
        ArrayNode references = n.putArray("references");
        for (RemainingReference ref : r.references()) {
            ObjectNode o = references.addObject();
            o.put("file", ref.file());
            o.put("offset", ref.offset());
            o.set("string", InspectCommand.bytes(ref.string()));
            if (ref.section().isPresent()) {
                o.put("section", ref.section().get());
            } else {
                o.putNull("section");
            }
            o.put("symlink", ref.symlink());
            o.put("shimmed_interpreter", ref.shimmedInterpreter());
        }
        ArrayNode secure = n.putArray("secure_exec");
        for (SecureExecCase c : r.secureExec()) {
            ObjectNode o = secure.addObject();
            o.put("program", c.program());
            ArrayNode reasons = o.putArray("reasons");
            c.reasons().forEach(reasons::add);
            o.put("origin_in_needed", c.originInNeeded());
            o.put("origin_in_search_path", c.originInSearchPath());
        }
        ArrayNode notes = n.putArray("notes");
        r.notes().forEach(notes::add);
        return n;
    }
}
