package dev.closurewrap.nar;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names as bytes. Java paths are strings; a name that is not valid in the platform encoding
 * ({@code sun.jnu.encoding}) would be mangled by {@code toString}, so such names take the one
 * byte-exact public route Java has, a {@code file:} URI with percent escapes.
 */
final class FileNames {
    private static final boolean UTF8_PLATFORM = Charset.forName(
            System.getProperty("sun.jnu.encoding", "UTF-8")).equals(StandardCharsets.UTF_8);

    private FileNames() {}

    /** The bytes of the last name of {@code path}. */
    static ByteString nameOf(Path path) {
        String s = path.getFileName().toString();
        if (exactAsString(s)) {
            return ByteString.utf8(s);
        }
        String raw = path.toAbsolutePath().toUri().getRawPath();
        if (raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return ByteString.of(percentDecode(raw.substring(raw.lastIndexOf('/') + 1)));
    }

    /** {@code dir/name} for a name that {@link NarLimits#checkName} accepted. */
    static Path resolve(Path dir, ByteString name) {
        if (name.isValidUtf8() && (UTF8_PLATFORM || isAscii(name))) {
            return dir.resolve(name.utf8());
        }
        String base = dir.toAbsolutePath().toUri().getRawPath();
        return Path.of(URI.create("file://" + base + (base.endsWith("/") ? "" : "/") + percentEncode(name)));
    }

    /** The target of a symlink as bytes; a target Java cannot show exactly is not supported. */
    static ByteString targetBytes(Path linkTarget, String where) throws UnsupportedInputException {
        String s = linkTarget.toString();
        if (!exactAsString(s)) {
            throw new UnsupportedInputException(where, "symlink target is not valid " + (UTF8_PLATFORM ? "UTF-8" : "ASCII"));
        }
        return ByteString.utf8(s);
    }

    /** A symlink target as a Java path, only if Java keeps its bytes exactly (it folds "//" and a trailing "/"). */
    static Path targetPath(ByteString target, String where) throws UnsupportedInputException {
        if (target.isValidUtf8() && (UTF8_PLATFORM || isAscii(target))) {
            String s = target.utf8();
            Path p = Path.of(s);
            if (p.toString().equals(s)) {
                return p;
            }
        }
        throw new UnsupportedInputException(where, "symlink target \"" + target
                + "\" cannot be created byte for byte by the Java runtime (repeated or trailing '/', or not "
                + (UTF8_PLATFORM ? "UTF-8" : "ASCII") + ")");
    }

    private static boolean exactAsString(String s) {
        if (UTF8_PLATFORM) {
            return s.indexOf('\uFFFD') < 0;
        }
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static boolean isAscii(ByteString b) {
        for (int i = 0; i < b.length(); i++) {
            if (b.byteAt(i) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String percentEncode(ByteString name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            int b = name.byteAt(i) & 0xff;
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_') {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
            }
        }
        return sb.toString();
    }

    private static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c); // raw URI paths are ASCII: every other byte is escaped
            }
        }
        return out.toByteArray();
    }
}
