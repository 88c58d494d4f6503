package dev.closurewrap.graph;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Renders a {@link DependencyGraph} as JSON (schema in docs/graph.md), Graphviz DOT, or a text summary. */
public final class GraphWriter {
    /** Bumped when a field changes meaning or disappears; new fields do not bump it. */
    public static final int JSON_VERSION = 1;

    private GraphWriter() {}

    public static void json(DependencyGraph graph, Writer out) throws IOException {
        JsonGenerator json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
        json.writeStartObject();
        json.writeNumberField("version", JSON_VERSION);
        json.writeStringField("storeDir", graph.storeDir().map(Path::toString).orElse(null));
        json.writeStringField("origin", graph.origin());
        json.writeArrayFieldStart("roots");
        for (Path root : graph.roots()) {
            json.writeString(root.toString());
        }
        json.writeEndArray();

        DependencyGraph.Lookups total = graph.totalLookups();
        json.writeObjectFieldStart("summary");
        json.writeNumberField("members", graph.members().size());
        json.writeNumberField("files", graph.fileCount());
        json.writeNumberField("objects", graph.objects().size());
        json.writeNumberField("edges", graph.edges().size());
        json.writeNumberField("unresolved", graph.unresolved().size());
        json.writeNumberField("programs", graph.programs().size());
        lookups(json, "failedLookups", total);
        json.writeEndObject();

        json.writeArrayFieldStart("members");
        for (DependencyGraph.Member m : graph.members()) {
            json.writeStartObject();
            json.writeStringField("path", m.path().toString());
            json.writeArrayFieldStart("references");
            for (Path ref : m.references().stream().sorted().toList()) {
                json.writeString(ref.toString());
            }
            json.writeEndArray();
            json.writeNumberField("files", m.files());
            json.writeNumberField("elfObjects", m.elfObjects());
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("objects");
        for (DependencyGraph.ObjectNode o : graph.objects()) {
            LoadableObject obj = o.object();
            json.writeStartObject();
            json.writeStringField("path", LoaderPaths.display(o.path()));
            json.writeStringField("member", o.member().map(Path::toString).orElse(null));
            json.writeStringField("kind", obj.kind().description());
            json.writeStringField("loader", family(obj.family()));
            json.writeNumberField("class", obj.elfClass() == 1 ? 32 : 64);
            json.writeNumberField("machine", obj.machine());
            optional(json, "interpreter", obj.interpreter());
            optional(json, "soname", obj.soname());
            json.writeArrayFieldStart("needed");
            for (ByteString n : obj.needed()) {
                json.writeString(n.toString());
            }
            json.writeEndArray();
            optional(json, "rpath", obj.rpath());
            optional(json, "runpath", obj.runpath());
            json.writeStringField("sha256", o.sha256());
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("edges");
        for (DependencyGraph.Edge e : graph.edges()) {
            json.writeStartObject();
            json.writeStringField("from", LoaderPaths.display(e.from()));
            json.writeStringField("needed", e.needed().toString());
            json.writeStringField("to", e.to().map(LoaderPaths::display).orElse(null));
            json.writeStringField("how", e.how().label());
            json.writeStringField("directory", e.directory().map(LoaderPaths::display).orElse(null));
            json.writeBooleanField("insideClosure", e.insideClosure());
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("unresolved");
        for (DependencyGraph.Unresolved u : graph.unresolved()) {
            json.writeStartObject();
            json.writeStringField("object", LoaderPaths.display(u.object()));
            json.writeStringField("needed", u.needed().toString());
            json.writeStringField("foundAt", u.foundAt().map(LoaderPaths::display).orElse(null));
            json.writeArrayFieldStart("programs");
            for (String p : u.programs()) {
                json.writeString(LoaderPaths.display(p));
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("programs");
        for (DependencyGraph.Program p : graph.programs()) {
            json.writeStartObject();
            json.writeStringField("path", LoaderPaths.display(p.path()));
            json.writeStringField("loader", family(p.family()));
            json.writeStringField("interpreter", LoaderPaths.display(p.interpreter()));
            json.writeArrayFieldStart("loadOrder");
            for (String o : p.loadOrder()) {
                json.writeString(LoaderPaths.display(o));
            }
            json.writeEndArray();
            lookups(json, "failedLookups", p.lookups());
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("scripts");
        for (ScannedFile.Script s : graph.scripts()) {
            json.writeStartObject();
            json.writeStringField("path", s.path().toString());
            json.writeStringField("interpreter", s.interpreter().toString());
            json.writeStringField("argument", s.argument().toString());
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("symlinks");
        for (ScannedFile.Symlink s : graph.symlinks()) {
            json.writeStartObject();
            json.writeStringField("path", s.path().toString());
            json.writeStringField("target", s.target().toString());
            json.writeBooleanField("absolute", s.absolute());
            json.writeEndObject();
        }
        json.writeEndArray();

        json.writeArrayFieldStart("brokenElf");
        for (ScannedFile.BrokenElf b : graph.broken()) {
            json.writeStartObject();
            json.writeStringField("path", b.path().toString());
            json.writeStringField("problem", b.problem());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        json.flush();
        out.write('\n');
        out.flush();
    }

    private static void lookups(JsonGenerator json, String field, DependencyGraph.Lookups lookups) throws IOException {
        json.writeObjectFieldStart(field);
        json.writeNumberField("now", lookups.now());
        json.writeNumberField("relative", lookups.relative());
        json.writeNumberField("absolute", lookups.absolute());
        json.writeEndObject();
    }

    private static void optional(JsonGenerator json, String field, Optional<ByteString> value) throws IOException {
        json.writeStringField(field, value.map(ByteString::toString).orElse(null));
    }

    private static String family(LoaderFamily family) {
        return family.name().toLowerCase(Locale.ROOT);
    }

    /** Graphviz: one cluster per member, one node per ELF object, edges labelled with name and rule. */
    public static void dot(DependencyGraph graph, Writer out) throws IOException {
        out.write("digraph closure {\n");
        out.write("  rankdir=LR;\n  node [shape=box, fontsize=10];\n  edge [fontsize=8];\n");
        Map<Path, List<DependencyGraph.ObjectNode>> byMember = new java.util.TreeMap<>();
        List<DependencyGraph.ObjectNode> loose = new java.util.ArrayList<>();
        for (DependencyGraph.ObjectNode o : graph.objects()) {
            if (o.member().isPresent()) {
                byMember.computeIfAbsent(o.member().get(), k -> new java.util.ArrayList<>()).add(o);
            } else {
                loose.add(o);
            }
        }
        Map<String, Boolean> declared = new HashMap<>();
        int cluster = 0;
        for (Map.Entry<Path, List<DependencyGraph.ObjectNode>> e : byMember.entrySet()) {
            out.write("  subgraph " + quote("cluster_" + cluster++) + " {\n");
            out.write("    label=" + quote(memberLabel(graph, e.getKey())) + ";\n");
            for (DependencyGraph.ObjectNode o : e.getValue()) {
                out.write("    " + node(o) + "\n");
                declared.put(o.path(), true);
            }
            out.write("  }\n");
        }
        for (DependencyGraph.ObjectNode o : loose) {
            out.write("  " + node(o) + "\n");
            declared.put(o.path(), true);
        }
        int missing = 0;
        Map<String, String> missingIds = new HashMap<>();
        for (DependencyGraph.Edge e : graph.edges()) {
            String to;
            if (e.to().isPresent()) {
                to = e.to().get();
                if (!declared.containsKey(to)) {
                    out.write("  " + quote(LoaderPaths.display(to)) + " [label=" + quote(LoaderPaths.basename(
                            LoaderPaths.display(to))) + ", color=orange];\n");
                    declared.put(to, true);
                }
            } else {
                String name = e.needed().toString();
                to = missingIds.get(name);
                if (to == null) {
                    to = "missing:" + missing++ + ":" + name;
                    missingIds.put(name, to);
                    out.write("  " + quote(to) + " [label=" + quote(name + "\nnot found")
                            + ", shape=octagon, color=red];\n");
                }
            }
            String color = !e.insideClosure() ? ", color=red" : e.how() == How.ALREADY_LOADED ? ", style=dashed" : "";
            out.write("  " + quote(LoaderPaths.display(e.from())) + " -> " + quote(LoaderPaths.display(to))
                    + " [label=" + quote(e.needed() + "\n" + e.how().label()) + color + "];\n");
        }
        out.write("}\n");
        out.flush();
    }

    private static String memberLabel(DependencyGraph graph, Path member) {
        return graph.storeDir().isPresent() ? member.getFileName().toString() : member.toString();
    }

    private static String node(DependencyGraph.ObjectNode o) {
        String shape = GraphBuilder.isProgram(o.object()) ? ", shape=ellipse" : "";
        return quote(LoaderPaths.display(o.path())) + " [label=" + quote(LoaderPaths.basename(
                LoaderPaths.display(o.path()))) + shape + "];";
    }

    /** A DOT quoted string: backslash and double quote escaped, newlines as \n. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** For people: counts, the stat storm before and after, and every unresolved library with who needs it. */
    public static void summary(DependencyGraph graph, Writer out) throws IOException {
        DependencyGraph.Lookups total = graph.totalLookups();
        long glibc = graph.programs().stream().filter(p -> p.family() == LoaderFamily.GLIBC).count();
        long musl = graph.programs().stream().filter(p -> p.family() == LoaderFamily.MUSL).count();
        String what = graph.storeDir().isPresent() ? "store paths" : "host files";
        out.write(String.format(Locale.ROOT, "%d %s (%s), %d files, %d ELF objects, %d edges%n",
                graph.members().size(), what, graph.origin(), graph.fileCount(), graph.objects().size(),
                graph.edges().size()));
        out.write(String.format(Locale.ROOT, "%d programs (%d glibc, %d musl), %d scripts, %d symlinks (%d absolute)%n",
                graph.programs().size(), glibc, musl, graph.scripts().size(), graph.symlinks().size(),
                graph.symlinks().stream().filter(ScannedFile.Symlink::absolute).count()));
        out.write(String.format(Locale.ROOT, "unresolved: %d%n", graph.unresolved().size()));
        out.write(String.format(Locale.ROOT,
                "failed lookups at start-up, all programs: %d now, %d after --relative, %d after --absolute%n",
                total.now(), total.relative(), total.absolute()));
        if (!graph.programs().isEmpty()) {
            out.write("\nprogram  objects  lookups now / relative / absolute\n");
            for (DependencyGraph.Program p : graph.programs()) {
                out.write(String.format(Locale.ROOT, "  %s  %d  %d / %d / %d%n", LoaderPaths.display(p.path()),
                        p.loadOrder().size(), p.lookups().now(), p.lookups().relative(), p.lookups().absolute()));
            }
        }
        if (!graph.unresolved().isEmpty()) {
            out.write("\nunresolved:\n");
            for (DependencyGraph.Unresolved u : graph.unresolved()) {
                out.write("  " + LoaderPaths.display(u.object()) + " needs " + u.needed() + ": "
                        + u.foundAt().map(f -> "found outside the closure at " + LoaderPaths.display(f))
                                .orElse("not found")
                        + (u.programs().isEmpty() ? "" : " (programs: " + String.join(", ",
                                u.programs().stream().map(LoaderPaths::display).toList()) + ")")
                        + "\n");
            }
        }
        if (!graph.broken().isEmpty()) {
            out.write("\nELF files the reader rejected:\n");
            for (ScannedFile.BrokenElf b : graph.broken()) {
                out.write("  " + b.problem() + "\n");
            }
        }
        out.flush();
    }
}
