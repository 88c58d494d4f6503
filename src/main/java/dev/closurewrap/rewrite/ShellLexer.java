package dev.closurewrap.rewrite;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Just enough of the POSIX/bash shell grammar to tell, for given byte offsets of a script, in which
 * quoting context each one stands, so that text inserted there can be quoted to mean the same. It
 * follows single and double quotes, backslashes, comments, {@code $( )} (a new quoting context, also
 * inside double quotes), {@code ${ }} and here-documents. Whatever it does not follow exactly
 * (backquotes, {@code $'...'}, here-document bodies, quotes inside {@code "${...}"}, a script that
 * ends inside a quote) is {@link Context#UNSAFE}: the caller leaves such a script's text alone.
 */
final class ShellLexer {
    /** The quoting context of one offset. */
    enum Context {
        UNQUOTED,
        SINGLE_QUOTED,
        DOUBLE_QUOTED,
        COMMENT,
        UNSAFE
    }

    private enum Mode { COMMAND, SINGLE, DOUBLE, BACKQUOTE, ANSI }

    /** One level of nesting; {@code depth} counts {@code (} in a command or {@code ${} in double quotes. */
    private static final class Frame {
        final Mode mode;
        final boolean substitution;
        int depth;

        Frame(Mode mode, boolean substitution) {
            this.mode = mode;
            this.substitution = substitution;
        }
    }

    private record HereDoc(byte[] delimiter, boolean stripTabs) {}

    private ShellLexer() {}

    /** The context of each offset in {@code offsets} (ascending), in the same order. */
    static Context[] contexts(byte[] script, int[] offsets) {
        Context[] result = new Context[offsets.length];
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(Mode.COMMAND, false));
        List<HereDoc> pendingHereDocs = new ArrayList<>();
        int next = 0; // next offset to classify
        int i = 0;
        boolean inComment = false;
        while (i < script.length) {
            while (next < offsets.length && offsets[next] < i) {
                result[next++] = Context.UNSAFE; // skipped over: right after a backslash
            }
            if (next < offsets.length && i == offsets[next]) {
                result[next++] = inComment ? Context.COMMENT : current(stack);
                continue;
            }
            byte b = script[i];
            Frame top = stack.peek();
            if (inComment) {
                if (b == '\n') {
                    inComment = false;
                    continue; // the newline itself ends the command line below
                }
                i++;
                continue;
            }
            switch (top.mode) {
                case SINGLE -> {
                    if (b == '\'') {
                        stack.pop();
                    }
                    i++;
                }
                case ANSI, BACKQUOTE -> {
                    if (b == '\\') {
                        i += 2;
                    } else {
                        if ((top.mode == Mode.ANSI && b == '\'') || (top.mode == Mode.BACKQUOTE && b == '`')) {
                            stack.pop();
                        }
                        i++;
                    }
                }
                case DOUBLE -> {
                    if (b == '\\') {
                        i += 2;
                    } else if (b == '"') {
                        if (top.depth > 0) {
                            stack.push(new Frame(Mode.DOUBLE, false)); // bash: quotes nest inside "${...}"
                        } else {
                            stack.pop();
                        }
                        i++;
                    } else if (b == '`') {
                        stack.push(new Frame(Mode.BACKQUOTE, false));
                        i++;
                    } else if (b == '$' && at(script, i + 1, '(')) {
                        stack.push(new Frame(Mode.COMMAND, true));
                        i += 2;
                    } else if (b == '$' && at(script, i + 1, '{')) {
                        top.depth++;
                        i += 2;
                    } else {
                        if (b == '}' && top.depth > 0) {
                            top.depth--;
                        }
                        i++;
                    }
                }
                case COMMAND -> {
                    if (b == '\\') {
                        i += 2;
                    } else if (b == '\'') {
                        stack.push(new Frame(Mode.SINGLE, false));
                        i++;
                    } else if (b == '"') {
                        stack.push(new Frame(Mode.DOUBLE, false));
                        i++;
                    } else if (b == '`') {
                        stack.push(new Frame(Mode.BACKQUOTE, false));
                        i++;
                    } else if (b == '$' && at(script, i + 1, '\'')) {
                        stack.push(new Frame(Mode.ANSI, false));
                        i += 2;
                    } else if (b == '$' && at(script, i + 1, '(')) {
                        stack.push(new Frame(Mode.COMMAND, true));
                        i += 2;
                    } else if (b == '(' && top.substitution) {
                        top.depth++;
                        i++;
                    } else if (b == ')' && top.substitution) {
                        if (top.depth == 0) {
                            stack.pop();
                        } else {
                            top.depth--;
                        }
                        i++;
                    } else if (b == '#' && wordStart(script, i)) {
                        inComment = true;
                        i++;
                    } else if (b == '<' && at(script, i + 1, '<') && at(script, i + 2, '<')) {
                        i += 3; // a here-string: its word is ordinary text
                    } else if (b == '<' && at(script, i + 1, '<')) {
                        int[] end = new int[1];
                        HereDoc doc = hereDocOperator(script, i + 2, end);
                        if (doc == null) {
                            return unsafeFrom(result, next);
                        }
                        pendingHereDocs.add(doc);
                        i = end[0];
                    } else if (b == '\n' && !pendingHereDocs.isEmpty()) {
                        int hereDocEnd = skipHereDocs(script, i + 1, pendingHereDocs);
                        pendingHereDocs.clear();
                        if (hereDocEnd < 0) {
                            return unsafeFrom(result, next);
                        }
                        // Offsets inside the bodies are not followed: text there is data.
                        while (next < offsets.length && offsets[next] < hereDocEnd) {
                            result[next++] = Context.UNSAFE;
                        }
                        i = hereDocEnd;
                    } else {
                        i++;
                    }
                }
            }
        }
        if (stack.size() != 1 || !pendingHereDocs.isEmpty()) {
            // The script ends inside a quote or before a here-document: we did not follow it.
            return unsafeFrom(result, 0);
        }
        return unsafeFrom(result, next);
    }

    private static Context current(Deque<Frame> stack) {
        for (Frame frame : stack) {
            if (frame.mode == Mode.BACKQUOTE || frame.mode == Mode.ANSI) {
                return Context.UNSAFE;
            }
        }
        Frame top = stack.peek();
        return switch (top.mode) {
            case COMMAND -> Context.UNQUOTED;
            case SINGLE -> Context.SINGLE_QUOTED;
            case DOUBLE -> top.depth > 0 ? Context.UNSAFE : Context.DOUBLE_QUOTED;
            default -> Context.UNSAFE;
        };
    }

    private static Context[] unsafeFrom(Context[] result, int from) {
        Arrays.fill(result, from, result.length, Context.UNSAFE);
        return result;
    }

    private static boolean at(byte[] script, int i, char c) {
        return i < script.length && script[i] == c;
    }

    /** A {@code #} starts a comment only at the start of a word. */
    private static boolean wordStart(byte[] script, int i) {
        if (i == 0) {
            return true;
        }
        byte before = script[i - 1];
        return before == ' ' || before == '\t' || before == '\n' || before == ';' || before == '&'
                || before == '|' || before == '(' || before == ')' || before == '<' || before == '>';
    }

    /** Parses {@code [-] word} after {@code <<}; null when the word is not a simple (quoted) word. */
    private static HereDoc hereDocOperator(byte[] script, int i, int[] end) {
        boolean stripTabs = at(script, i, '-');
        if (stripTabs) {
            i++;
        }
        while (i < script.length && (script[i] == ' ' || script[i] == '\t')) {
            i++;
        }
        ByteArrayOutputStream word = new ByteArrayOutputStream();
        while (i < script.length) {
            byte b = script[i];
            if (b == '\'' || b == '"') {
                int close = indexOf(script, b, i + 1);
                if (close < 0) {
                    return null;
                }
                word.write(script, i + 1, close - i - 1);
                i = close + 1;
            } else if (b == '\\' && i + 1 < script.length) {
                word.write(script[i + 1]);
                i += 2;
            } else if (b == ' ' || b == '\t' || b == '\n' || b == ';' || b == '&' || b == '|' || b == '<'
                    || b == '>' || b == '(' || b == ')') {
                break;
            } else {
                word.write(b);
                i++;
            }
        }
        if (word.size() == 0) {
            return null;
        }
        end[0] = i;
        return new HereDoc(word.toByteArray(), stripTabs);
    }

    /** Skips the bodies of {@code docs} starting at {@code i}; returns the offset after the last delimiter line, or -1. */
    private static int skipHereDocs(byte[] script, int i, List<HereDoc> docs) {
        for (HereDoc doc : docs) {
            while (true) {
                if (i >= script.length) {
                    return -1;
                }
                int lineEnd = indexOf(script, (byte) '\n', i);
                int end = lineEnd < 0 ? script.length : lineEnd;
                int start = i;
                while (doc.stripTabs && start < end && script[start] == '\t') {
                    start++;
                }
                i = lineEnd < 0 ? script.length : lineEnd + 1;
                if (Arrays.equals(script, start, end, doc.delimiter, 0, doc.delimiter.length)) {
                    break;
                }
            }
        }
        return i;
    }

    private static int indexOf(byte[] script, byte b, int from) {
        for (int i = from; i < script.length; i++) {
            if (script[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
