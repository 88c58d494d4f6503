package dev.closurewrap.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads back the launchers ({@code OUT/bin/*}) and exec shims that {@code rewrite.BundleScripts}
 * writes, to learn which loader runs which program and with which {@code --library-path}: a program
 * run that way does not depend on its PT_INTERP. Only the {@code exec} line is read; its words are
 * the quoting {@code BundleScripts} produces (double quotes around {@code "$_cw_s/path"}, single
 * quotes around other bytes). Paths are loader strings ({@code graph.LoaderPaths}: one char per byte).
 */
final class BundleLaunchers {
    static final String SHIM_MARK = "#!/bin/sh\n# closure-wrap exec shim";
    static final String LAUNCHER_MARK = "#!/bin/sh\n# closure-wrap launcher";
    private static final String STORE_VARIABLE = "_cw_s";

    private BundleLaunchers() {}

    /**
     * How a script runs its program.
     *
     * @param program the program's path
     * @param loader the loader that runs it explicitly; empty when the program is executed directly
     * @param libraryPath the loader's {@code --library-path} directories, in order
     */
    record RunVia(String program, Optional<String> loader, List<String> libraryPath) {
        RunVia {
            libraryPath = List.copyOf(libraryPath);
        }
    }

    /** Whether {@code head} (the first bytes of a file) starts like a launcher or exec shim. */
    static boolean looksLikeOne(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        return text.startsWith(SHIM_MARK) || text.startsWith(LAUNCHER_MARK);
    }

    /**
     * Parses a launcher or shim; {@code storeDir} is what {@code $_cw_s} stands for (the bundle's
     * {@code store} directory). Empty when the text is not one or its {@code exec} line has an
     * unexpected form.
     */
    static Optional<RunVia> parse(byte[] script, String storeDir) {
        if (!looksLikeOne(script)) {
            return Optional.empty();
        }
        String text = new String(script, StandardCharsets.ISO_8859_1);
        String exec = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("exec ")) {
                exec = line.substring("exec ".length());
            }
        }
        if (exec == null) {
            return Optional.empty();
        }
        List<Word> words = words(exec, storeDir);
        if (words == null || words.size() < 2 || !words.get(words.size() - 1).allArguments) {
            return Optional.empty();
        }
        List<Word> command = words.subList(0, words.size() - 1);
        if (command.stream().anyMatch(w -> w.text == null && !w.variable)) {
            return Optional.empty();
        }
        if (command.size() == 1) {
            return plain(command.get(0)).map(p -> new RunVia(p, Optional.empty(), List.of()));
        }
        Optional<String> loader = plain(command.get(0));
        List<String> libraryPath = new ArrayList<>();
        String program = null;
        for (int i = 1; i < command.size(); i++) {
            String option = command.get(i).text;
            if ("--library-path".equals(option) && i + 1 < command.size() && command.get(i + 1).text != null) {
                for (String dir : command.get(++i).text.split(":")) {
                    if (!dir.isEmpty()) {
                        libraryPath.add(dir);
                    }
                }
            } else if ("--argv0".equals(option) && i + 1 < command.size()) {
                i++;
            } else if (i == command.size() - 1) {
                program = plain(command.get(i)).orElse(null);
            } else {
                return Optional.empty();
            }
        }
        if (loader.isEmpty() || program == null) {
            return Optional.empty();
        }
        return Optional.of(new RunVia(program, loader, libraryPath));
    }

    private static Optional<String> plain(Word word) {
        return word.variable || word.text == null ? Optional.empty() : Optional.of(word.text);
    }

    /**
     * One shell word. {@code text} is its value with {@code $_cw_s} expanded, null when it holds
     * another variable ({@code variable}); {@code allArguments} for {@code "$@"}.
     */
    private record Word(String text, boolean variable, boolean allArguments) {}

    /** Splits at unquoted blanks; null on unbalanced quotes. */
    private static List<Word> words(String line, String storeDir) {
        List<Word> words = new ArrayList<>();
        StringBuilder current = null;
        boolean variable = false;
        boolean all = false;
        int i = 0;
        while (i <= line.length()) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            if (c == ' ' || c == '\t') {
                if (current != null) {
                    words.add(new Word(variable ? null : current.toString(), variable && !all, all));
                }
                current = null;
                variable = false;
                all = false;
                i++;
                continue;
            }
            if (current == null) {
                current = new StringBuilder();
            }
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    return null;
                }
                current.append(line, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                if (end < 0) {
                    return null;
                }
                String inner = line.substring(i + 1, end);
                if (inner.equals("$@")) {
                    all = true;
                    variable = true;
                } else {
                    variable |= !expand(inner, storeDir, current);
                }
                i = end + 1;
            } else if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(i + 1));
                i += 2;
            } else if (c == '$') {
                return null; // unquoted expansion: not what BundleScripts writes
            } else {
                current.append(c);
                i++;
            }
        }
        return words;
    }

    /** Appends {@code inner} with {@code $_cw_s} expanded; false if it uses any other variable. */
    private static boolean expand(String inner, String storeDir, StringBuilder out) {
        int i = 0;
        while (i < inner.length()) {
            char c = inner.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
            } else if (inner.startsWith(STORE_VARIABLE, i + 1)
                    && (i + 1 + STORE_VARIABLE.length() == inner.length()
                        || !isNameChar(inner.charAt(i + 1 + STORE_VARIABLE.length())))) {
                out.append(storeDir);
                i += 1 + STORE_VARIABLE.length();
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
