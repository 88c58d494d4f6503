package dev.closurewrap.bundle;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A path inside an output tree, as bytes: relative, components separated by {@code /}, none of
 * them empty, {@code .} or {@code ..}, no NUL. So no sink can be made to write outside its tree, and
 * no archive holds an absolute or {@code ..} name. Ordered by unsigned bytes.
 */
public record EntryPath(ByteString bytes) implements Comparable<EntryPath> {
    private static final byte SLASH = '/';

    public EntryPath {
        Objects.requireNonNull(bytes, "bytes");
        String problem = problem(bytes);
        if (problem != null) {
            throw new IllegalArgumentException("entry path " + bytes + ": " + problem);
        }
    }

    /** Validates bytes from an input (a NAR name, a directory listing). */
    public static EntryPath of(ByteString bytes) throws BadInputException {
        String problem = problem(bytes);
        if (problem != null) {
            throw new BadInputException("entry path", bytes.toString(), BadInputException.NO_OFFSET, problem);
        }
        return new EntryPath(bytes);
    }

    /** For paths written in code: {@code EntryPath.parse("store/abc-foo/bin")}. */
    public static EntryPath parse(String path) {
        return new EntryPath(ByteString.utf8(path));
    }

    private static String problem(ByteString bytes) {
        if (bytes.length() == 0) {
            return "empty";
        }
        if (bytes.contains((byte) 0)) {
            return "contains a NUL byte";
        }
        if (bytes.byteAt(0) == SLASH) {
            return "absolute";
        }
        int start = 0;
        while (start <= bytes.length()) {
            int end = bytes.indexOf(SLASH, start);
            if (end < 0) {
                end = bytes.length();
            }
            int n = end - start;
            if (n == 0) {
                return "empty component";
            }
            if (n <= 2 && bytes.byteAt(start) == '.' && (n == 1 || bytes.byteAt(start + 1) == '.')) {
                return "component '" + (n == 1 ? "." : "..") + "' is not allowed";
            }
            start = end + 1;
        }
        return null;
    }

    /** The last component. */
    public ByteString name() {
        int slash = lastSlash();
        return slash < 0 ? bytes : bytes.substring(slash + 1, bytes.length());
    }

    /** The path without its last component; empty for a top-level entry. */
    public Optional<EntryPath> parent() {
        int slash = lastSlash();
        return slash < 0 ? Optional.empty() : Optional.of(new EntryPath(bytes.substring(0, slash)));
    }

    /** This path with one more component. */
    public EntryPath child(ByteString name) throws BadInputException {
        return of(bytes.concat(ByteString.utf8("/")).concat(name));
    }

    /** Number of components. */
    public int depth() {
        int n = 1;
        for (int i = bytes.indexOf(SLASH, 0); i >= 0; i = bytes.indexOf(SLASH, i + 1)) {
            n++;
        }
        return n;
    }

    /** The host path below {@code root}. Java paths are strings: non-UTF-8 names need a UTF-8 {@code sun.jnu.encoding}. */
    public Path under(Path root) {
        return root.resolve(bytes.utf8());
    }

    private int lastSlash() {
        for (int i = bytes.length() - 1; i >= 0; i--) {
            if (bytes.byteAt(i) == SLASH) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int compareTo(EntryPath other) {
        return bytes.compareTo(other.bytes);
    }

    @Override
    public String toString() {
        return bytes.toString();
    }
}
