package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.rewrite.ShellLexer.Context;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each case marks the offsets to classify with {@code \u00a4}; the marks are removed before lexing. */
class ShellLexerTest {
    private static Context[] contexts(String marked) {
        StringBuilder script = new StringBuilder();
        java.util.List<Integer> offsets = new java.util.ArrayList<>();
        for (char c : marked.toCharArray()) {
            if (c == '\u00a4') {
                offsets.add(script.length());
            } else {
                script.append(c);
            }
        }
        return ShellLexer.contexts(script.toString().getBytes(StandardCharsets.UTF_8),
                offsets.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Context context(String marked) {
        Context[] result = contexts(marked);
        assertEquals(1, result.length);
        return result[0];
    }

    @Test
    void contexts_makeWrapperLines() {
        assertArrayEquals(new Context[] {Context.SINGLE_QUOTED, Context.SINGLE_QUOTED, Context.SINGLE_QUOTED,
                Context.DOUBLE_QUOTED},
                contexts("export MAGIC='¤/m'\nPATH=${PATH/':''¤/x/bin'':'/':'}\nPATH='¤/x/bin'$PATH\n"
                        + "exec -a \"$0\" \"¤/f/.file-wrapped\"  \"$@\"\n"));
    }

    @Test
    void contexts_unquotedWord_andAssignment() {
        assertArrayEquals(new Context[] {Context.UNQUOTED, Context.UNQUOTED},
                contexts("¤/c/bin/curl --version | head\nX=¤/y:$X\n"));
    }

    @Test
    void contexts_comment_onlyAtWordStart() {
        assertEquals(Context.COMMENT, context("echo hi # see ¤/x\n"));
        assertEquals(Context.UNQUOTED, context("echo a#b ¤/x\n"));
        assertEquals(Context.UNQUOTED, context("# c ' \" `\n¤/x\n"));
    }

    @Test
    void contexts_escapedQuotes_doNotOpenQuotes() {
        assertEquals(Context.UNQUOTED, context("echo \\' ¤/x\n"));
        assertEquals(Context.DOUBLE_QUOTED, context("echo \"a \\\" ¤/x\"\n"));
    }

    @Test
    void contexts_commandSubstitution_startsAFreshContextInsideDoubleQuotes() {
        assertEquals(Context.SINGLE_QUOTED, context("x=\"$(cat '¤/f')\"\n"));
        assertEquals(Context.DOUBLE_QUOTED, context("x=\"$(cat \"¤/f\")\"\n"));
        assertEquals(Context.DOUBLE_QUOTED, context("x=\"$( (echo) ) ¤/f\"\n"));
    }

    @Test
    void contexts_backquotesAndAnsiQuotes_unsafe() {
        assertEquals(Context.UNSAFE, context("x=`cat ¤/f`\n"));
        assertEquals(Context.UNSAFE, context("x=$'¤/f'\n"));
        assertEquals(Context.UNSAFE, context("x=\"${y:-¤/f}\"\n"));
    }

    @Test
    void contexts_afterBackslash_unsafe() {
        assertEquals(Context.UNSAFE, context("echo \\¤/x\n"));
    }

    @Test
    void contexts_hereDocumentBody_unsafe_andTextAfterItFollowed() {
        assertArrayEquals(new Context[] {Context.UNSAFE, Context.UNQUOTED},
                contexts("cat <<EOF\n¤/x '\nEOF\n¤/y\n"));
        assertArrayEquals(new Context[] {Context.UNSAFE, Context.SINGLE_QUOTED},
                contexts("cat <<-'END' | sed x\n\t¤/x\n\tEND\necho '¤/y'\n"));
        assertEquals(Context.UNQUOTED, context("cat <<< ¤/x\n"));
    }

    @Test
    void contexts_unterminatedQuote_everythingUnsafe() {
        assertEquals(Context.UNSAFE, context("echo ¤/x 'open\n"));
        assertEquals(Context.UNSAFE, context("cat <<EOF\n¤/x\n"));
    }
}
