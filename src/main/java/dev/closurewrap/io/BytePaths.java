package dev.closurewrap.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Paths held as bytes (link targets, RUNPATH entries, bundle paths), split, joined and related
 * without decoding them: they are not guaranteed UTF-8. Purely lexical; nothing touches the disk.
 */
public final class BytePaths {
    private static final ByteString DOT = ByteString.utf8(".");
    private static final ByteString DOT_DOT = ByteString.utf8("..");

    private BytePaths() {}

    /** Components split at {@code /}, without empty ones and {@code .}; {@code ..} is kept. */
    public static List<ByteString> components(ByteString path) {
        List<ByteString> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.byteAt(i) == '/') {
                if (i > start) {
                    ByteString part = path.substring(start, i);
                    if (!part.equals(DOT)) {
                        parts.add(part);
                    }
                }
                start = i + 1;
            }
        }
        return parts;
    }

    /** {@code parts} with {@code separator} between them; empty for no parts. */
    public static ByteString join(Collection<ByteString> parts, char separator) {
        ByteString between = ByteString.of(new byte[] {(byte) separator});
        ByteString result = ByteString.EMPTY;
        boolean first = true;
        for (ByteString part : parts) {
            result = first ? part : result.concat(between).concat(part);
            first = false;
        }
        return result;
    }

    /**
     * The shortest path from directory {@code fromDir} to {@code to}, both as components below one
     * root; {@code .} when they are the same. The common prefix stops at a {@code ..} in the target,
     * because the component before it may be a symlink and the kernel resolves {@code ..} physically.
     */
    public static ByteString relative(List<ByteString> fromDir, List<ByteString> to) {
        int common = 0;
        while (common < fromDir.size() && common < to.size() && fromDir.get(common).equals(to.get(common))
                && !to.get(common).equals(DOT_DOT)) {
            common++;
        }
        List<ByteString> parts = new ArrayList<>();
        for (int i = common; i < fromDir.size(); i++) {
            parts.add(DOT_DOT);
        }
        parts.addAll(to.subList(common, to.size()));
        return parts.isEmpty() ? DOT : join(parts, '/');
    }
}
