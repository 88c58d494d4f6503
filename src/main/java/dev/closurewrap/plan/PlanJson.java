package dev.closurewrap.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.io.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Plans as JSON: what {@code --dry-run --json} prints and what the plan hash is computed over.
 * Fields are written in a fixed order and byte strings one way (a UTF-8 string, or
 * {@code {"base64": "..."}} when the bytes are not UTF-8), so the same plan always gives the same
 * bytes. docs/wrap.md shows the shape.
 */
public final class PlanJson {
    /**
     * Goes into every plan hash: bump it when the rewrite of an unchanged plan would give other bytes
     * (an editor or script-generator change), so old checkpoints and reusable results no longer match.
     */
    public static final String REWRITER_VERSION = "closure-wrap-rewrite-1";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private PlanJson() {}

    /** One file's plan. */
    public static ObjectNode toJson(FilePlan plan) {
        ObjectNode node = NODES.objectNode();
        node.set("target", bytes(plan.target()));
        plan.source().ifPresent(s -> node.put("source", s.toString()));
        plan.inputSha256().ifPresent(h -> node.put("inputSha256", h));
        node.put("executable", plan.executable());
        node.set("action", toJson(plan.action()));
        return node;
    }

    /** A whole job's plan: mode, then every file. */
    public static ObjectNode toJson(JobPlan plan) {
        ObjectNode node = NODES.objectNode();
        node.put("mode", plan.mode().label());
        if (plan.tree() == Tree.HOST) {
            node.put("tree", plan.tree().directory());
        } else {
            node.put("storeDir", plan.storeDir().toString());
        }
        plan.prefix().ifPresent(p -> node.put("prefix", p.toString()));
        ArrayNode files = node.putArray("files");
        plan.files().forEach(f -> files.add(toJson(f)));
        ArrayNode notes = node.putArray("notes");
        plan.notes().forEach(notes::add);
        return node;
    }

    /** An action: {@code {"kind": "...", ...its fields}}. */
    public static ObjectNode toJson(Action action) {
        ObjectNode node = NODES.objectNode();
        node.put("kind", action.kind());
        if (action instanceof Action.Copy copy) {
            node.put("reason", copy.reason());
        } else if (action instanceof Action.EditElf edit) {
            ArrayNode edits = node.putArray("edits");
            edit.edits().forEach(e -> edits.add(toJson(e)));
        } else if (action instanceof Action.Symlink link) {
            node.set("linkTarget", bytes(link.target()));
        } else if (action instanceof Action.RelocateScript script) {
            node.set("scriptInStore", bytes(script.scriptInStore()));
            node.set("storeDir", bytes(script.storeDir()));
            node.set("bundled", list(script.bundled()));
        } else if (action instanceof Action.PrefixText text) {
            node.set("storeDir", bytes(text.storeDir()));
            node.set("newStoreDir", bytes(text.newStoreDir()));
            node.set("bundled", list(text.bundled()));
        } else if (action instanceof Action.ExecShim shim) {
            node.set("shim", bytes(shim.shim()));
            node.set("realFile", bytes(shim.realFile()));
            node.set("loader", toJson(shim.loader()));
            node.set("libraryPath", list(shim.libraryPath()));
        } else if (action instanceof Action.Launcher launcher) {
            node.set("name", bytes(launcher.name()));
            node.set("argv0", bytes(launcher.argv0()));
            node.set("program", bytes(launcher.program()));
            launcher.loader().ifPresent(l -> node.set("loader", toJson(l)));
            node.set("libraryPath", list(launcher.libraryPath()));
            if (launcher.tree() != Tree.STORE) {
                // Only when not the default, so store launchers keep their plan hash.
                node.put("tree", launcher.tree().directory());
            }
        }
        return node;
    }

    private static ObjectNode toJson(Action.Loader loader) {
        ObjectNode node = NODES.objectNode();
        node.set("path", bytes(loader.path()));
        node.put("family", loader.family().name().toLowerCase(Locale.ROOT));
        node.put("acceptsArgv0", loader.acceptsArgv0());
        return node;
    }

    /** One ELF edit, named after patchelf's flag where there is one. */
    public static ObjectNode toJson(ElfEdit edit) {
        ObjectNode node = NODES.objectNode();
        if (edit instanceof ElfEdit.ReplaceNeeded r) {
            node.put("edit", "replace-needed");
            node.set("from", bytes(r.from()));
            node.set("to", bytes(r.to()));
        } else if (edit instanceof ElfEdit.AddNeeded a) {
            node.put("edit", "add-needed");
            node.set("name", bytes(a.name()));
        } else if (edit instanceof ElfEdit.RemoveNeeded r) {
            node.put("edit", "remove-needed");
            node.set("name", bytes(r.name()));
        } else if (edit instanceof ElfEdit.SetNeeded s) {
            node.put("edit", "set-needed");
            node.set("names", list(s.names()));
        } else if (edit instanceof ElfEdit.RenameVersionNeedFile r) {
            node.put("edit", "rename-version-need-file");
            node.set("from", bytes(r.from()));
            node.set("to", bytes(r.to()));
        } else if (edit instanceof ElfEdit.SetSearchPath s) {
            node.put("edit", "set-search-path");
            node.put("tag", s.tag().name().toLowerCase(java.util.Locale.ROOT));
            node.set("path", bytes(s.path()));
        } else if (edit instanceof ElfEdit.AddSearchPath a) {
            node.put("edit", "add-search-path");
            node.put("tag", a.tag().name().toLowerCase(java.util.Locale.ROOT));
            node.set("directories", bytes(a.directories()));
        } else if (edit instanceof ElfEdit.RemoveSearchPath) {
            node.put("edit", "remove-search-path");
        } else if (edit instanceof ElfEdit.SetInterpreter s) {
            node.put("edit", "set-interpreter");
            node.set("path", bytes(s.path()));
        } else if (edit instanceof ElfEdit.SetSoname s) {
            node.put("edit", "set-soname");
            node.set("name", bytes(s.name()));
        }
        return node;
    }

    /** A byte string: the text when it is UTF-8, else {@code {"base64": ...}}. */
    public static JsonNode bytes(ByteString value) {
        if (value.isValidUtf8()) {
            return NODES.textNode(value.utf8());
        }
        return NODES.objectNode().put("base64", Base64.getEncoder().encodeToString(value.toByteArray()));
    }

    private static ArrayNode list(Collection<ByteString> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(v -> array.add(bytes(v)));
        return array;
    }

    /** Compact JSON text. */
    public static String compact(JsonNode node) {
        try {
            return COMPACT.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** SHA-256 (hex) of the action's compact JSON, prefixed by {@link #REWRITER_VERSION}. */
    public static String actionHash(Action action) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((REWRITER_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(compact(toJson(action)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }
}
