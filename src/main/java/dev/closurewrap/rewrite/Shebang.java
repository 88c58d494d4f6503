package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.util.Optional;

/**
 * A script's first line as the Linux kernel reads it: {@code #!}, optional blanks, the
 * interpreter up to the next blank, then at most one argument (the rest of the line, blanks
 * trimmed at both ends: the kernel passes it as one word, spaces and all).
 *
 * @param lineLength bytes of the first line including its newline
 */
public record Shebang(ByteString interpreter, Optional<ByteString> argument, int lineLength) {
    public Shebang {
        if (interpreter.length() == 0) {
            throw new IllegalArgumentException("empty interpreter");
        }
    }

    /** The shebang of {@code content}, or empty when it does not start with {@code #!} and an interpreter. */
    public static Optional<Shebang> parse(byte[] content) {
        if (content.length < 2 || content[0] != '#' || content[1] != '!') {
            return Optional.empty();
        }
        int end = 2;
        while (end < content.length && content[end] != '\n') {
            end++;
        }
        int lineLength = end < content.length ? end + 1 : end;
        int i = skipBlanks(content, 2, end);
        int interpreterEnd = i;
        while (interpreterEnd < end && !isBlank(content[interpreterEnd])) {
            interpreterEnd++;
        }
        if (interpreterEnd == i) {
            return Optional.empty();
        }
        int argStart = skipBlanks(content, interpreterEnd, end);
        int argEnd = end;
        while (argEnd > argStart && isBlank(content[argEnd - 1])) {
            argEnd--;
        }
        Optional<ByteString> argument = argEnd > argStart
                ? Optional.of(ByteString.of(content, argStart, argEnd - argStart))
                : Optional.empty();
        return Optional.of(new Shebang(ByteString.of(content, i, interpreterEnd - i), argument, lineLength));
    }

    private static int skipBlanks(byte[] content, int i, int end) {
        while (i < end && isBlank(content[i])) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t'; // not '\r': the kernel keeps it ("bash\r: bad interpreter")
    }
}
