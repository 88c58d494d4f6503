package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds POSIX {@code sh} text as bytes: store names and file names are not guaranteed UTF-8, so
 * they are written byte for byte, quoted so that no byte is special to the shell.
 */
final class ShellText {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ShellText text(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    ShellText line(String text) {
        return text(text).text("\n");
    }

    ShellText bytes(ByteString bytes) {
        out.writeBytes(bytes.toByteArray());
        return this;
    }

    /** {@code "$var/rel"}: a path below the directory in shell variable {@code var}, as one word. */
    ShellText path(String var, ByteString rel) {
        text("\"$").text(var).text("/");
        if (isPlain(rel)) {
            return bytes(rel).text("\"");
        }
        return text("\"").quoted(rel);
    }

    /** {@code bytes} as one single-quoted word ({@code '} written as {@code '\''}). */
    ShellText quoted(ByteString bytes) {
        out.write('\'');
        for (int i = 0; i < bytes.length(); i++) {
            byte b = bytes.byteAt(i);
            if (b == '\'') {
                out.writeBytes("'\\''".getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(b);
            }
        }
        out.write('\'');
        return this;
    }

    /** Text for a comment line: the bytes with control characters (newlines above all) shown as {@code ?}. */
    ShellText commentSafe(ByteString bytes) {
        for (int i = 0; i < bytes.length(); i++) {
            int b = bytes.byteAt(i) & 0xff;
            out.write(b < 0x20 || b == 0x7f ? '?' : b);
        }
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** Bytes that mean themselves inside double quotes and in a comment. */
    static boolean isPlain(ByteString bytes) {
        for (int i = 0; i < bytes.length(); i++) {
            int b = bytes.byteAt(i) & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || "/._+-=,:@%~".indexOf(b) >= 0;
            if (!plain) {
                return false;
            }
        }
        return true;
    }
}
