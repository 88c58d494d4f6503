package dev.closurewrap.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.plan.Action;
import dev.closurewrap.plan.JobPlan;
import dev.closurewrap.plan.PlanJson;
import dev.closurewrap.rewrite.StoreReference;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code OUT/closure-wrap.json}: roots, mode, tool version, every output file with its input and
 * output hashes, what was not rewritten and why, unresolved libraries, and the references to the
 * old store that remain. Made only from the plan and the outcomes, sorted, with no time or host
 * detail in it, so an interrupted and resumed job writes the same bytes as an uninterrupted one.
 * docs/wrap.md describes the fields.
 */
final class Manifest {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** How the planner words a library that does not resolve inside the closure. */
    private static final String UNRESOLVED = "unresolved: ";

    private Manifest() {}

    static byte[] toJson(WrapRequest request, JobPlan plan, Map<ByteString, WrapJob.Outcome> outcomes) {
        ObjectNode root = NODES.objectNode();
        root.put("tool", "closure-wrap");
        root.put("version", request.toolVersion());
        root.put("mode", plan.mode().label());
        if (plan.tree() == dev.closurewrap.plan.Tree.HOST) {
            // Host programs: the tree mirrors the host's / and there is no old store to name.
            root.put("tree", plan.tree().directory());
        } else {
            root.put("storeDir", plan.storeDir().toString());
        }
        plan.prefix().ifPresent(p -> root.put("prefix", p.toString()));
        ArrayNode roots = root.putArray("roots");
        request.roots().forEach(roots::add);

        Map<ByteString, WrapJob.Outcome> sorted = new TreeMap<>(outcomes);
        ArrayNode files = root.putArray("files");
        ArrayNode notRewritten = root.putArray("notRewritten");
        ArrayNode remaining = root.putArray("remainingReferences");
        long remainingCount = 0;
        for (WrapJob.Outcome o : sorted.values()) {
            ObjectNode file = files.addObject();
            file.set("path", PlanJson.bytes(o.plan().target()));
            file.put("action", o.plan().action().kind());
            file.put("state", o.state());
            o.plan().inputSha256().ifPresent(h -> file.put("inputSha256", h));
            o.output().ifPresent(h -> file.put("outputSha256", h.hex()));
            if (o.plan().action() instanceof Action.Symlink link) {
                file.set("linkTarget", PlanJson.bytes(link.target()));
            }
            if (o.reason().isPresent()) {
                notRewritten.addObject().<ObjectNode>set("path", PlanJson.bytes(o.plan().target()))
                        .put("reason", o.reason().get()).put("failed", true);
            } else if (o.plan().action() instanceof Action.Copy copy && isElfReason(copy.reason())) {
                notRewritten.addObject().<ObjectNode>set("path", PlanJson.bytes(o.plan().target()))
                        .put("reason", copy.reason()).put("failed", false);
            }
            if (o.referenceCount() > 0) {
                remainingCount += o.referenceCount();
                ObjectNode refs = remaining.addObject();
                refs.set("path", PlanJson.bytes(o.plan().target()));
                refs.put("count", o.referenceCount());
                ArrayNode list = refs.putArray("first");
                for (StoreReference r : o.references()) {
                    list.addObject().put("offset", r.offset()).set("storePath", PlanJson.bytes(r.path()));
                }
            }
        }
        root.put("remainingReferenceCount", remainingCount);
        ArrayNode unresolved = root.putArray("unresolved");
        ArrayNode notes = root.putArray("notes");
        for (String note : plan.notes()) {
            if (note.startsWith(UNRESOLVED)) {
                unresolved.add(note.substring(UNRESOLVED.length()));
            } else {
                notes.add(note);
            }
        }
        try {
            return (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** Copies worth listing: ELF files left alone on purpose (not plain data files). */
    private static boolean isElfReason(String reason) {
        return !reason.equals("not ELF") && !reason.startsWith("script:");
    }
}
