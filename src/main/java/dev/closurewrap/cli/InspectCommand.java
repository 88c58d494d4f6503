package dev.closurewrap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.ElfFlags;
import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.VersionNeed;
import dev.closurewrap.elf.VersionNeedAux;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code closure-wrap inspect FILE... [--json]}: what each file is and what its loader will do with it. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {
            "Show class, byte order, machine, type and kind, interpreter, needed libraries, rpath,",
            "runpath, soname, flags, loader family (glibc / musl / none) and version needs of each ELF file.",
            "A file that is not ELF is reported as such; a broken one is reported and skipped (exit 3).",
            "With --json, strings that are valid UTF-8 are JSON strings; others are objects",
            "{\"hex\": ..., \"escaped\": ...} (see docs/formats.md)."
        })
final class InspectCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to inspect.")
    List<Path> files;

    @Option(names = "--json", description = "One JSON array, an object per file, for machines.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = ExitCodes.OK;
        JsonGenerator generator = null;
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            generator = mapper.getFactory().createGenerator(out).useDefaultPrettyPrinter();
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            generator.writeStartArray();
        }
        boolean first = true;
        for (Path file : files) {
            String name = file.toString();
            ObjectNode node;
            try {
                if (!Files.exists(file)) {
                    throw new java.nio.file.NoSuchFileException(name);
                }
                if (!Files.isRegularFile(file)) {
                    // A directory cannot be ELF, and opening a FIFO or device could block forever.
                    throw new BadInputException("ELF", name, BadInputException.NO_OFFSET,
                            Files.isDirectory(file) ? "is a directory" : "is not a regular file");
                }
                node = ElfFile.openIfElf(file).map(InspectCommand::describe).orElseGet(() -> notElf(name));
            } catch (IOException e) {
                err.println("closure-wrap: " + message(e));
                exit = Math.max(exit, ExitCodes.of(e));
                node = failure(name, e);
            }
            if (generator != null) {
                generator.writeTree(node);
            } else {
                if (!first) {
                    out.println();
                }
                printText(out, node);
            }
            first = false;
        }
        if (generator != null) {
            generator.writeEndArray();
            generator.flush();
            out.println();
        }
        out.flush();
        return exit;
    }

    // ---- the model every output form is made from ----

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static ObjectNode describe(ElfFile f) {
        ObjectNode n = NODES.objectNode();
        n.put("file", f.name());
        n.put("kind", kindName(f.kind()));
        n.put("class", f.elfClass().name());
        n.put("data", f.data() == dev.closurewrap.elf.ElfData.LITTLE_ENDIAN ? "little-endian" : "big-endian");
        n.put("machine", f.header().machineName());
        n.put("e_machine", f.machine());
        n.put("type", f.header().typeName());
        n.put("loader_family", f.loaderFamily().name().toLowerCase(Locale.ROOT));
        n.set("interpreter", bytes(f.interpreterPath()));
        ArrayNode needed = n.putArray("needed");
        f.needed().forEach(s -> needed.add(bytes(s)));
        n.set("rpath", bytes(f.rpath()));
        n.set("runpath", bytes(f.runpath()));
        n.set("soname", bytes(f.soname()));
        n.set("flags", flags(f.flags(), ElfFlags.flagNames(f.flags().orElse(0))));
        n.set("flags_1", flags(f.flags1(), ElfFlags.flags1Names(f.flags1().orElse(0))));
        ArrayNode needs = n.putArray("version_needs");
        for (VersionNeed need : f.versionNeeds()) {
            ObjectNode v = needs.addObject();
            v.set("file", bytes(need.fileName()));
            ArrayNode versions = v.putArray("versions");
            for (VersionNeedAux aux : need.aux()) {
                versions.add(bytes(aux.name()));
            }
        }
        n.put("page_size", f.pageSize());
        return n;
    }

    private static ObjectNode notElf(String name) {
        ObjectNode n = NODES.objectNode();
        n.put("file", name);
        n.put("kind", "not-elf");
        return n;
    }

    private static ObjectNode failure(String name, IOException e) {
        ObjectNode n = NODES.objectNode();
        n.put("file", name);
        n.put("kind", "error");
        ObjectNode error = n.putObject("error");
        error.put("message", message(e));
        if (e instanceof BadInputException bad) {
            if (bad.offset() != BadInputException.NO_OFFSET) {
                error.put("offset", bad.offset());
            }
            error.put("problem", bad.problem());
        }
        return n;
    }

    /** The exception's message, with the reason spelt out where the JDK gives only the path. */
    private static String message(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return e.getMessage() + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return e.getMessage() + ": permission denied";
        }
        return e.getMessage();
    }

    /** {@code PIE_EXECUTABLE} → {@code pie-executable}. */
    static String kindName(ElfKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static com.fasterxml.jackson.databind.JsonNode flags(OptionalLong value, List<String> names) {
        if (value.isEmpty()) {
            return NODES.nullNode();
        }
        ObjectNode n = NODES.objectNode();
        n.put("value", value.getAsLong());
        ArrayNode list = n.putArray("names");
        names.forEach(list::add);
        return n;
    }

    private static com.fasterxml.jackson.databind.JsonNode bytes(Optional<ByteString> value) {
        return value.map(InspectCommand::bytes).orElse(NODES.nullNode());
    }

    /**
     * A byte string for JSON: a plain string when the bytes are valid UTF-8 (JSON escapes control
     * characters itself), otherwise {@code {"hex": "...", "escaped": "..."}} so that no byte is lost
     * and nobody mistakes an escaped form for the real name.
     */
    static com.fasterxml.jackson.databind.JsonNode bytes(ByteString value) {
        if (value.isValidUtf8()) {
            return NODES.textNode(value.utf8());
        }
        ObjectNode n = NODES.objectNode();
        n.put("hex", HexFormat.of().formatHex(value.toByteArray()));
        n.put("escaped", value.toString());
        return n;
    }

    // ---- text for people ----

    private static void printText(PrintWriter out, ObjectNode n) {
        String kind = n.get("kind").asText();
        out.println(n.get("file").asText() + ":");
        if (kind.equals("not-elf")) {
            out.println("  kind:          not ELF");
            return;
        }
        if (kind.equals("error")) {
            out.println("  error:         " + n.get("error").get("message").asText());
            return;
        }
        row(out, "kind", ElfKind.valueOf(kind.replace('-', '_').toUpperCase(Locale.ROOT)).description());
        row(out, "class", n.get("class").asText());
        row(out, "data", n.get("data").asText());
        row(out, "machine", n.get("machine").asText());
        row(out, "type", n.get("type").asText());
        row(out, "loader family", n.get("loader_family").asText());
        row(out, "interpreter", text(n.get("interpreter")));
        row(out, "soname", text(n.get("soname")));
        List<String> needed = new java.util.ArrayList<>();
        n.get("needed").forEach(s -> needed.add(text(s)));
        row(out, "needed", needed.isEmpty() ? "-" : String.join(", ", needed));
        row(out, "rpath", text(n.get("rpath")));
        row(out, "runpath", text(n.get("runpath")));
        row(out, "flags", flagsText(n.get("flags")));
        row(out, "flags_1", flagsText(n.get("flags_1")));
        if (n.get("version_needs").isEmpty()) {
            row(out, "version needs", "-");
        }
        boolean firstNeed = true;
        for (var need : n.get("version_needs")) {
            List<String> versions = new java.util.ArrayList<>();
            need.get("versions").forEach(v -> versions.add(text(v)));
            row(out, firstNeed ? "version needs" : "", text(need.get("file")) + ": " + String.join(" ", versions));
            firstNeed = false;
        }
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println(String.format("  %-14s %s", label.isEmpty() ? "" : label + ":", value));
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode node) {
        if (node == null || node.isNull()) {
            return "-";
        }
        if (node.isObject()) {
            return node.get("escaped").asText();
        }
        // Valid UTF-8, but a terminal must not be handed control characters.
        return ByteString.utf8(node.asText()).toString();
    }

    private static String flagsText(com.fasterxml.jackson.databind.JsonNode node) {
        if (node == null || node.isNull()) {
            return "-";
        }
        List<String> names = new java.util.ArrayList<>();
        node.get("names").forEach(s -> names.add(s.asText()));
        return names.stream().collect(Collectors.joining(" ")) + " (0x" + Long.toHexString(node.get("value").asLong())
                + ")";
    }
}
