package dev.closurewrap.io;

import java.io.IOException;

/**
 * Input that breaks its format's rules: a truncated header, an out-of-range offset, a NAR name out
 * of order. The message always has one shape, so that a batch report can be read the same way for
 * every format:
 *
 * <pre>store/…-curl/bin/curl: bad ELF at 0x40: program header table (e_phnum=1000) runs past end of file (size 0x4a0)</pre>
 */
public class BadInputException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Offset not known or not meaningful (a text format, a missing file). */
    public static final long NO_OFFSET = -1;

    private final String file;
    private final String format;
    private final long offset;
    private final String problem;

    public BadInputException(String format, String file, long offset, String problem) {
        this(format, file, offset, problem, null);
    }

    public BadInputException(String format, String file, long offset, String problem, Throwable cause) {
        super(render(format, file, offset, problem), cause);
        this.format = format;
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    private static String render(String format, String file, long offset, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<input>" : file).append(": bad ").append(format);
        if (offset != NO_OFFSET) {
            sb.append(" at 0x").append(Long.toHexString(offset));
        }
        return sb.append(": ").append(problem).toString();
    }

    /** Display name of the file (or archive member) that is bad. */
    public String file() {
        return file;
    }

    /** The format whose rules were broken, e.g. {@code ELF}, {@code NAR}. */
    public String format() {
        return format;
    }

    /** Byte offset of the bad structure, or {@link #NO_OFFSET}. */
    public long offset() {
        return offset;
    }

    /** What is wrong, without the file and offset. */
    public String problem() {
        return problem;
    }
}
