package dev.closurewrap.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.FileIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The byte layout of the checkpoint database, written down once.
 *
 * <pre>
 * files    key  path bytes
 *          val  u8 version (1) | u8 kind | input[32] | plan[32] | kind data
 *               kind data: DONE: output[32]; FAILED: UTF-8 reason; others: nothing
 * results  key  input[32] | plan[32]
 *          val  output[32] | path bytes (one output file that holds this result)
 * hashes   key  an input file's absolute path (UTF-8)
 *          val  device | inode | size | mtime ns | ctime ns (big-endian i64 each) | sha256[32]
 * used     key  output[32]
 *          val  big-endian i64: when a job last made or reused that result (epoch ms)
 * default  "job" → JSON job record; "finished" → 1; "format" → "2" ("1" before hashes and used)
 * </pre>
 */
final class RecordCodec {
    static final byte VERSION = 1;
    private static final int HEADER = 2 + 2 * Sha256.LENGTH;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordCodec() {}

    static byte[] encodeFile(FileRecord record) {
        byte[] tail = new byte[0];
        if (record.state() instanceof FileState.Done done) {
            tail = done.outputHash().bytes().toByteArray();
        } else if (record.state() instanceof FileState.Failed failed) {
            tail = failed.reason().getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[HEADER + tail.length];
        out[0] = VERSION;
        out[1] = (byte) record.state().kind().ordinal();
        System.arraycopy(record.inputHash().bytes().toByteArray(), 0, out, 2, Sha256.LENGTH);
        System.arraycopy(record.planHash().bytes().toByteArray(), 0, out, 2 + Sha256.LENGTH, Sha256.LENGTH);
        System.arraycopy(tail, 0, out, HEADER, tail.length);
        return out;
    }

    static FileRecord decodeFile(byte[] key, byte[] value) throws IOException {
        String where = ByteString.of(key).toString();
        if (value.length < HEADER || value[0] != VERSION) {
            throw new IOException("checkpoint record for " + where + ": unknown layout (version "
                    + (value.length == 0 ? "none" : value[0]) + ", " + value.length + " bytes)");
        }
        FileState.Kind[] kinds = FileState.Kind.values();
        int kindIndex = value[1];
        if (kindIndex < 0 || kindIndex >= kinds.length) {
            throw new IOException("checkpoint record for " + where + ": unknown state " + kindIndex);
        }
        Sha256 input = Sha256.of(Arrays.copyOfRange(value, 2, 2 + Sha256.LENGTH));
        Sha256 plan = Sha256.of(Arrays.copyOfRange(value, 2 + Sha256.LENGTH, HEADER));
        int tail = value.length - HEADER;
        FileState state = switch (kinds[kindIndex]) {
            case PENDING -> new FileState.Pending();
            case COPIED_UNCHANGED -> new FileState.CopiedUnchanged();
            case DONE -> {
                if (tail != Sha256.LENGTH) {
                    throw new IOException("checkpoint record for " + where + ": DONE needs a 32-byte output hash, got "
                            + tail + " bytes");
                }
                yield new FileState.Done(Sha256.of(Arrays.copyOfRange(value, HEADER, value.length)));
            }
            case FAILED -> new FileState.Failed(new String(value, HEADER, tail, StandardCharsets.UTF_8));
        };
        return new FileRecord(ByteString.of(key), input, plan, state);
    }

    static byte[] resultKey(Sha256 input, Sha256 plan) {
        byte[] key = new byte[2 * Sha256.LENGTH];
        System.arraycopy(input.bytes().toByteArray(), 0, key, 0, Sha256.LENGTH);
        System.arraycopy(plan.bytes().toByteArray(), 0, key, Sha256.LENGTH, Sha256.LENGTH);
        return key;
    }

    static byte[] encodeResult(Sha256 output, ByteString path) {
        byte[] pathBytes = path.toByteArray();
        byte[] value = Arrays.copyOf(output.bytes().toByteArray(), Sha256.LENGTH + pathBytes.length);
        System.arraycopy(pathBytes, 0, value, Sha256.LENGTH, pathBytes.length);
        return value;
    }

    static ReusableResult decodeResult(byte[] value) throws IOException {
        if (value.length <= Sha256.LENGTH) {
            throw new IOException("checkpoint result index: entry of " + value.length + " bytes is too short");
        }
        return new ReusableResult(Sha256.of(Arrays.copyOf(value, Sha256.LENGTH)),
                ByteString.of(value, Sha256.LENGTH, value.length - Sha256.LENGTH));
    }

    /** A known hash's key: the file's path as UTF-8. */
    static byte[] knownHashKey(java.nio.file.Path file) {
        return file.toString().getBytes(StandardCharsets.UTF_8);
    }

    static java.nio.file.Path decodeKnownHashKey(byte[] key) {
        return java.nio.file.Path.of(new String(key, StandardCharsets.UTF_8));
    }

    /** When a result was last made or reused: epoch milliseconds. */
    static byte[] encodeUsed(long epochMillis) {
        return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(epochMillis).array();
    }

    /** Empty for a value of the wrong length (a cache: such a note counts as never made). */
    static Optional<Long> decodeUsed(byte[] value) {
        return value.length == Long.BYTES ? Optional.of(java.nio.ByteBuffer.wrap(value).getLong()) : Optional.empty();
    }

    /** A known hash: the file's identity (five longs) and its SHA-256. */
    static byte[] encodeKnownHash(FileIdentity identity, Sha256 sha256) {
        java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(5 * Long.BYTES + Sha256.LENGTH);
        value.putLong(identity.device()).putLong(identity.inode()).putLong(identity.size())
                .putLong(identity.modifiedNanos()).putLong(identity.changedNanos());
        value.put(sha256.bytes().toByteArray());
        return value.array();
    }

    /** The hash a known-hash entry holds if the file still has that identity; empty for no entry or another identity. */
    static Optional<Sha256> decodeKnownHash(byte[] value, FileIdentity now) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.length != 5 * Long.BYTES + Sha256.LENGTH) {
            return Optional.empty(); // a cache: a damaged entry is a miss, and remembering the file again replaces it
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(value);
        FileIdentity then = new FileIdentity(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
        return then.equals(now) ? Optional.of(Sha256.of(Arrays.copyOfRange(value, 5 * Long.BYTES, value.length)))
                : Optional.empty();
    }

    static byte[] encodeJob(JobRecord job) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode roots = node.putArray("roots");
        job.roots().forEach(roots::add);
        node.put("mode", job.mode());
        node.put("output", job.output());
        node.put("optionsHash", job.optionsHash().hex());
        node.put("toolVersion", job.toolVersion());
        node.put("startedAtMillis", job.startedAtMillis());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new AssertionError("a tree of strings always serialises", e);
        }
    }

    static JobRecord decodeJob(byte[] value) throws IOException {
        try {
            JsonNode node = JSON.readTree(value);
            List<String> roots = new ArrayList<>();
            node.required("roots").forEach(r -> roots.add(r.asText()));
            return new JobRecord(roots, node.required("mode").asText(), node.required("output").asText(),
                    Sha256.fromHex(node.required("optionsHash").asText()), node.required("toolVersion").asText(),
                    node.required("startedAtMillis").asLong());
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint job record is damaged: " + e.getMessage(), e);
        }
    }
}
