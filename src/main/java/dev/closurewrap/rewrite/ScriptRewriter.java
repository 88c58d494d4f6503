package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scripts whose {@code #!} names an interpreter in the store, made to run from the bundle.
 *
 * <p>Relative mode ({@link #relocate}): the kernel wants an absolute interpreter path, so the
 * script starts with {@code #!/bin/sh} and a prelude that finds the bundle from the script's own
 * path and {@code exec}s the bundle's copy of the interpreter on the script:
 * <ul>
 * <li>sh-family (sh, bash, dash, ash, ksh, mksh, zsh): the interpreter reads the prelude again, so
 *     an environment variable set for that one exec (and unset at once) says "already done". Store
 *     paths in the body (nixpkgs makeWrapper wrappers: {@code exec -a "$0" "/nix/store/…"},
 *     {@code export MAGIC='/nix/store/…'}, {@code PATH} edits) become {@code ${_cw_s}/…}, quoted
 *     for the context each one stands in — when the script is under {@link #MAX_BODY_REWRITE} bytes
 *     and every such reference stands in a context {@link ShellLexer} follows; otherwise the body
 *     is left alone and its references stay for {@code verify} to list.</li>
 * <li>perl and ruby: {@code -x} makes them skip everything before a {@code #!} line naming
 *     them, so the prelude is invisible to them and {@code $0} stays the script.</li>
 * <li>python: the prelude is wrapped in a {@code """…"""} string that sh reads as {@code true}.
 *     It becomes the module docstring, so a script with its own docstring and a
 *     {@code from __future__} import, or a non-UTF-8 coding line, is refused.</li>
 * </ul>
 * Other interpreters ({@code env}, awk, tclsh...) are refused: there is no prelude that is harmless
 * to a language we do not know.
 *
 * <p>Prefix mode ({@link #prefix}): every reference to a bundled store path, shebang included,
 * names the new store directory instead; lengths may change, which is fine in text.
 */
public final class ScriptRewriter {
    /** Bodies up to this size are rewritten; a wrapper is a few hundred bytes. */
    public static final int MAX_BODY_REWRITE = 64 * 1024;
    /** Linux (since 5.1) reads the {@code #!} line from a 256-byte buffer. */
    public static final int MAX_SHEBANG_LINE = 255;

    private static final Set<String> SH_FAMILY = Set.of("sh", "bash", "dash", "ash", "ksh", "mksh", "zsh");
    /** {@code exec -a NAME "${_cw_s}/…"} at the start of a line, NAME a simple quoted word. */
    private static final Pattern EXEC_A = Pattern.compile(
            "(?m)^([ \\t]*)exec -a (\"\\$0\"|'[^'\n]*'|\"[^\"$`\\\\\n]*\") (\"\\$\\{_cw_s\\}/[^\"$`\\\\\n]*\")");
    private static final Pattern CODING = Pattern.compile("^[ \\t\\f]*#.*?coding[:=][ \\t]*([-\\w.]+)");

    /** What the prelude language has to be harmless to. */
    public enum Language { SH, PERL, RUBY, PYTHON }

    /**
     * The rewritten script and what still names the old store.
     *
     * @param language the prelude written (relocate), or the language of the interpreter if known (prefix)
     */
    public record Result(byte[] content, Optional<Language> language, int referencesRewritten,
            List<StoreReference> referencesLeft) {
        public Result {
            referencesLeft = List.copyOf(referencesLeft);
        }
    }

    private final ByteString storeDir;
    private final Set<ByteString> bundled;
    private final StoreReferenceScanner scanner;

    /**
     * @param storeDir the old store directory, e.g. {@code /nix/store}
     * @param bundled base names ({@code <hash>-<name>}) of the store paths that are in the bundle;
     *     references to any other store path are left as they are
     */
    public ScriptRewriter(ByteString storeDir, Set<ByteString> bundled) {
        this.storeDir = storeDir;
        this.bundled = Set.copyOf(bundled);
        this.scanner = new StoreReferenceScanner(storeDir);
    }

    /** The language of an interpreter path by its file name, if it is one we write preludes for. */
    public static Optional<Language> language(ByteString interpreter) {
        String name = BundlePaths.fileName(interpreter).utf8();
        if (SH_FAMILY.contains(name)) {
            return Optional.of(Language.SH);
        } else if (name.matches("perl[0-9.]*")) {
            return Optional.of(Language.PERL);
        } else if (name.matches("ruby[0-9.]*")) {
            return Optional.of(Language.RUBY);
        } else if (name.matches("python[0-9.]*")) {
            return Optional.of(Language.PYTHON);
        }
        return Optional.empty();
    }

    /**
     * Relative mode. Empty when {@code content} is not a script with an interpreter in the old store
     * (copy it unchanged).
     *
     * @param scriptInStore where the script sits, relative to the store directory ({@code <hash>-app/bin/app-info})
     * @throws UnsupportedInputException when the interpreter is in the store but cannot be handled
     */
    public Optional<Result> relocate(ByteString scriptInStore, byte[] content) throws UnsupportedInputException {
        BundlePaths.requireInStore(scriptInStore, "script");
        Optional<Shebang> parsed = Shebang.parse(content);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Shebang shebang = parsed.get();
        Optional<ByteString> interpreter = bundledPath(shebang.interpreter());
        if (interpreter.isEmpty()) {
            if (Symlinks.componentsInStore(storeDir, shebang.interpreter()).isPresent()) {
                throw new UnsupportedInputException(scriptInStore.toString(),
                        "interpreter " + shebang.interpreter() + " is not in the bundle");
            }
            return Optional.empty();
        }
        String file = scriptInStore.toString();
        Language language = language(shebang.interpreter()).orElseThrow(() -> new UnsupportedInputException(file,
                "no prelude for interpreter " + BundlePaths.fileName(shebang.interpreter())
                        + " (sh-family, perl, ruby and python are handled)"));
        byte[] body = Arrays.copyOfRange(content, shebang.lineLength(), content.length);
        ShellText out = new ShellText().line("#!/bin/sh");
        int rewritten = 0;
        switch (language) {
            case SH -> {
                shPrelude(out, scriptInStore, interpreter.get(), shebang.argument());
                Optional<byte[]> relocated = relocateShellBody(body);
                if (relocated.isPresent()) {
                    rewritten = references(body).size();
                    body = relocated.get();
                }
            }
            case PERL, RUBY -> {
                skipPrelude(out, scriptInStore, interpreter.get(), shebang.argument(), language);
            }
            case PYTHON -> {
                refuseUnsafePython(file, body);
                ShellText prelude = new ShellText();
                execPrelude(prelude, scriptInStore, interpreter.get(), shebang.argument(), List.of());
                ByteString code = ByteString.of(prelude.toByteArray());
                if (code.indexOf(ByteString.utf8("\"\"\"")) >= 0) {
                    throw new UnsupportedInputException(file, "a store name would end the prelude's \"\"\" string");
                }
                out.line("\"\"\"true\"").bytes(code).line("\"\"\"");
            }
        }
        byte[] result = concat(out.toByteArray(), body);
        return Optional.of(new Result(result, Optional.of(language), rewritten, scanner.scan(result)));
    }

    /**
     * Prefix mode: every reference to a bundled store path names {@code newStoreDir} instead. Empty
     * when the script names no bundled store path.
     *
     * @throws UnsupportedInputException when the new {@code #!} line would pass the kernel's limit,
     *     {@code newStoreDir} holds bytes that would change the meaning of shell text, or the file is
     *     binary (holds a NUL byte)
     */
    public Optional<Result> prefix(ByteString file, byte[] content, ByteString newStoreDir) throws UnsupportedInputException {
        if (!ShellText.isPlain(newStoreDir) || newStoreDir.length() == 0 || newStoreDir.byteAt(0) != '/') {
            throw new UnsupportedInputException(file.toString(),
                    "prefix " + newStoreDir + " must be an absolute path of letters, digits and /._+-=,:@%~");
        }
        for (byte b : content) {
            if (b == 0) {
                throw new UnsupportedInputException(file.toString(),
                        "binary file: a store path in it can only be replaced by one of the same length");
            }
        }
        List<StoreReference> references = references(content);
        if (references.isEmpty()) {
            return Optional.empty();
        }
        byte[] result = replaceStoreDir(content, references, index -> newStoreDir.toByteArray());
        Optional<Shebang> shebang = Shebang.parse(result);
        if (shebang.isPresent() && shebang.get().lineLength() - 1 > MAX_SHEBANG_LINE) {
            throw new UnsupportedInputException(file.toString(), "the #! line would be " + (shebang.get().lineLength() - 1)
                    + " bytes; the kernel reads " + MAX_SHEBANG_LINE);
        }
        Optional<Language> language = shebang.flatMap(s -> language(s.interpreter()));
        return Optional.of(new Result(result, language, references.size(), scanner.scan(result)));
    }

    /** The body with every bundled reference rewritten for its quoting context, or empty if that is not safe. */
    Optional<byte[]> relocateShellBody(byte[] body) {
        List<StoreReference> references = references(body);
        if (references.isEmpty()) {
            return Optional.of(body);
        }
        if (body.length > MAX_BODY_REWRITE) {
            return Optional.empty();
        }
        int[] offsets = references.stream().mapToInt(r -> (int) r.offset()).toArray();
        ShellLexer.Context[] contexts = ShellLexer.contexts(body, offsets);
        for (ShellLexer.Context context : contexts) {
            if (context == ShellLexer.Context.UNSAFE) {
                return Optional.empty();
            }
        }
        byte[] relocated = replaceStoreDir(body, references, index -> switch (contexts[index]) {
            case UNQUOTED -> ascii("\"${_cw_s}\"");
            case SINGLE_QUOTED -> ascii("'\"${_cw_s}\"'");
            case DOUBLE_QUOTED, COMMENT -> ascii("${_cw_s}");
            case UNSAFE -> throw new AssertionError();
        });
        return Optional.of(handArgv0ToShims(relocated));
    }

    /**
     * makeWrapper's {@code exec -a "$0" "/nix/store/…/.foo-wrapped"}: when the target is an exec
     * shim, {@code -a} is lost in the kernel (a script gets its own path as {@code $0}), so the
     * name also goes into the environment for that one path; {@link BundleScripts#execShim} takes
     * it from there and unsets it. Harmless when the target is not a shim.
     */
    static byte[] handArgv0ToShims(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String handed = EXEC_A.matcher(text).replaceAll(match -> Matcher.quoteReplacement(
                match.group(1) + BundleScripts.ARGV0_FOR + "=" + match.group(3) + " " + BundleScripts.ARGV0 + "="
                        + match.group(2) + " exec -a " + match.group(2) + " " + match.group(3)));
        return handed.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void shPrelude(ShellText out, ByteString self, ByteString interpreter, Optional<ByteString> argument) {
        out.text("# closure-wrap: the interpreter was ").commentSafe(interpreter).line(" in the store;")
                .line("# run the bundle's copy, found from this script's own path, on this script.")
                .line("_cw_f=${BASH_SOURCE:-$0}");
        BundleScripts.locate(out, "$_cw_f", self, "_cw_s");
        out.line("# Not when sourced, and only once: the interpreter reads these lines again.")
                .line("if [ \"$_cw_f\" = \"$0\" ] && [ \"${_cw_reexec-}\" != \"$0\" ]; then")
                .line("  _cw_reexec=$0")
                .line("  export _cw_reexec")
                .text("  exec ").path("_cw_s", interpreter);
        argument.ifPresent(arg -> out.text(" ").quoted(arg));
        out.line(" \"$0\" \"$@\"")
                .line("fi")
                .line("unset _cw_reexec _cw_f _cw_p _cw_d _cw_n _cw_i _cw_l " + BundleScripts.ARGV0_FOR + " " + BundleScripts.ARGV0)
                .line("# Absolute: the script may change directory before it uses a path.")
                .line("case $_cw_s in /*) ;; *) _cw_s=./$_cw_s ;; esac")
                .line("_cw_s=$(cd -P -- \"$_cw_s\" && pwd -P) || exit 127");
    }

    private void skipPrelude(ShellText out, ByteString self, ByteString interpreter, Optional<ByteString> argument,
            Language language) {
        String name = language == Language.PERL ? "perl" : "ruby";
        execPrelude(out, self, interpreter, argument, List.of("-x"));
        out.line("#!" + name);
    }

    /** The locate code and the exec line; {@code options} go between the shebang's argument and the script. */
    private void execPrelude(ShellText out, ByteString self, ByteString interpreter, Optional<ByteString> argument,
            List<String> options) {
        out.text("# closure-wrap: the interpreter was ").commentSafe(interpreter).line(" in the store;")
                .line("# run the bundle's copy, found from this script's own path, on this script.");
        BundleScripts.locate(out, "$0", self, "_cw_s");
        // A wrapper's exec -a hand-over is meant for exec shims only; do not pass it on.
        out.line("unset " + BundleScripts.ARGV0_FOR + " " + BundleScripts.ARGV0);
        out.text("exec ").path("_cw_s", interpreter);
        argument.ifPresent(arg -> out.text(" ").quoted(arg));
        options.forEach(option -> out.text(" ").text(option));
        out.line(" \"$0\" \"$@\"").line("exit 127");
    }

    private static void refuseUnsafePython(String file, byte[] body) throws UnsupportedInputException {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\n", 3);
        if (lines.length > 0) {
            Matcher coding = CODING.matcher(lines[0]);
            if (coding.find() && !coding.group(1).toLowerCase().matches("utf-?8|utf_8")) {
                throw new UnsupportedInputException(file, "coding line " + coding.group(1)
                        + " must stay on line 1 or 2, where the prelude goes");
            }
        }
        String firstCode = text.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst().orElse("");
        boolean ownDocstring = firstCode.startsWith("\"") || firstCode.startsWith("'")
                || firstCode.matches("(?i)[rbu]{1,2}['\"].*");
        if (ownDocstring && text.contains("from __future__")) {
            throw new UnsupportedInputException(file,
                    "the prelude's string would push the docstring after 'from __future__' imports");
        }
    }

    /** The path inside the store of an absolute path into a bundled store path. */
    private Optional<ByteString> bundledPath(ByteString path) {
        Optional<List<ByteString>> components = Symlinks.componentsInStore(storeDir, path);
        if (components.isEmpty() || components.get().isEmpty() || !bundled.contains(components.get().get(0))
                || components.get().contains(ByteString.utf8(".."))) {
            return Optional.empty();
        }
        ByteString result = components.get().get(0);
        for (ByteString part : components.get().subList(1, components.get().size())) {
            result = result.concat(ByteString.utf8("/")).concat(part);
        }
        return Optional.of(result);
    }

    private List<StoreReference> references(byte[] content) {
        List<StoreReference> bundledOnes = new ArrayList<>();
        for (StoreReference reference : scanner.scan(content)) {
            if (bundled.contains(reference.baseName())) {
                bundledOnes.add(reference);
            }
        }
        return bundledOnes;
    }

    private interface Replacement {
        byte[] forReference(int index);
    }

    private byte[] replaceStoreDir(byte[] content, List<StoreReference> references, Replacement replacement) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 16 * references.size());
        int from = 0;
        for (int i = 0; i < references.size(); i++) {
            int offset = (int) references.get(i).offset();
            out.write(content, from, offset - from);
            out.writeBytes(replacement.forReference(i));
            from = offset + storeDir.length();
        }
        out.write(content, from, content.length - from);
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
