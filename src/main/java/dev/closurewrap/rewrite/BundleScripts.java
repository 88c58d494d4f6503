package dev.closurewrap.rewrite;

import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Set;

/**
 * Generates the POSIX {@code sh} scripts of a relative bundle: exec shims beside programs and
 * launchers in {@code OUT/bin}. docs/formats.md ("Launchers, shims and scripts") shows the text and
 * says why each line is there.
 *
 * <p>Every script finds the bundle from its own path with shell builtins only: the target may have
 * no usable coreutils, and a fork+exec of {@code dirname} per program start would cost more than the
 * rest. The one exception is a script reached through a symlink from <em>outside</em> the bundle
 * (a user's {@code ~/bin/curl -> /opt/b/bin/curl}): no builtin reads a symlink, so only then, after
 * the builtin search has failed, {@code readlink} is asked.
 *
 * <p>Shell variables are named {@code _cw_*}: a launcher or shim {@code exec}s before any other code
 * runs; a script prelude leaves only {@code _cw_s} set, and does not export it.
 */
public final class BundleScripts {
    /** How many directories up from its own directory a script looks for the store directory. */
    static final int MAX_DEPTH = 32;
    /** How many symlinks from outside the bundle a script follows to find itself. */
    static final int MAX_LINKS = 16;
    /** Names longer than this cannot be a file name in a NAR (recent Nix) or on most file systems. */
    static final int MAX_NAME = 255;

    /** Environment variables by which a rewritten wrapper's {@code exec -a NAME PATH} passes NAME to the shim at PATH. */
    static final String ARGV0_FOR = "_cw_argv0_for";
    static final String ARGV0 = "_cw_argv0";

    private BundleScripts() {}

    /** The shim that takes the place of {@code plan.shim()}. */
    public static byte[] execShim(ExecShimPlan plan) {
        ShellText sh = new ShellText().line("#!/bin/sh");
        sh.text("# closure-wrap exec shim. The real program is ").commentSafe(BundlePaths.fileName(plan.realFile()))
                .line(" beside this script;")
                .line("# its PT_INTERP names the old store, so it runs through the bundle's own loader.");
        locate(sh, "$0", plan.shim(), "_cw_s");
        if (!plan.loader().acceptsArgv0()) {
            sh.text("exec ").path("_cw_s", plan.loader().path());
            libraryPath(sh, "_cw_s", plan.libraryPath());
            return sh.text(" ").path("_cw_s", plan.realFile()).line(" \"$@\"").toByteArray();
        }
        sh.line("# The kernel gives a script its own path as $0, so a wrapper's `exec -a NAME` cannot reach")
                .line("# the program through this shim; a rewritten wrapper hands NAME over for this path only.")
                .line("_cw_a=$0")
                .line("if [ \"${" + ARGV0_FOR + "-}\" = \"$0\" ]; then _cw_a=${" + ARGV0 + "-$0}; fi")
                .line("unset " + ARGV0_FOR + " " + ARGV0);
        sh.text("exec ").path("_cw_s", plan.loader().path());
        libraryPath(sh, "_cw_s", plan.libraryPath());
        sh.text(" --argv0 \"$_cw_a\" ").path("_cw_s", plan.realFile()).line(" \"$@\"");
        return sh.toByteArray();
    }

    /** The launcher {@code OUT/bin/<plan.name()>}. */
    public static byte[] launcher(LauncherPlan plan) {
        ShellText sh = new ShellText().line("#!/bin/sh");
        sh.text("# closure-wrap launcher: runs " + plan.tree().directory() + "/").commentSafe(plan.program()).line(" from this bundle.");
        locate(sh, "$0", ByteString.utf8("bin/").concat(plan.name()), "_cw_b");
        sh.line("# Canonical and absolute: $ORIGIN and argv[0] are taken from these paths as given.");
        sh.line("case $_cw_b in /*) ;; *) _cw_b=./$_cw_b ;; esac");
        sh.line("_cw_b=$(cd -P -- \"$_cw_b\" && pwd -P) || exit 127");
        sh.line("_cw_s=$_cw_b/" + plan.tree().directory());
        if (plan.loader().isPresent()) {
            sh.text("exec ").path("_cw_s", plan.loader().get().path());
            libraryPath(sh, "_cw_s", plan.libraryPath());
            if (plan.loader().get().acceptsArgv0()) {
                sh.text(" --argv0 ").path("_cw_s", plan.argv0());
            }
            sh.text(" ");
        } else {
            sh.text("exec ");
        }
        sh.path("_cw_s", plan.program()).line(" \"$@\"");
        return sh.toByteArray();
    }

    /**
     * The file name the real program gets beside its shim: {@code .<name>-real}, hidden so that
     * programs listing their directory by prefix (git's {@code git-*} commands) do not see it twice;
     * {@code .<name>-real-2}, {@code -3}... when a sibling already has that name, and a numbered
     * {@code .closure-wrap-real-N} when the name would pass 255 bytes.
     *
     * @param siblings every name already in the directory, including names chosen for other shims
     */
    public static ByteString realFileName(ByteString program, Set<ByteString> siblings) {
        if (program.length() == 0 || program.contains((byte) '/')) {
            throw new IllegalArgumentException("not a file name: " + program);
        }
        ByteString base = ByteString.utf8(".").concat(program).concat(ByteString.utf8("-real"));
        for (int n = 1; ; n++) {
            ByteString candidate = n == 1 ? base : base.concat(ByteString.utf8("-" + n));
            if (candidate.length() > MAX_NAME) {
                candidate = ByteString.utf8(".closure-wrap-real-" + n);
            }
            if (!siblings.contains(candidate)) {
                return candidate;
            }
        }
    }

    private static void libraryPath(ShellText sh, String var, List<ByteString> dirs) {
        if (dirs.isEmpty()) {
            return;
        }
        sh.text(" --library-path ");
        for (int i = 0; i < dirs.size(); i++) {
            sh.text(i == 0 ? "" : ":").path(var, dirs.get(i));
        }
    }

    /**
     * Code that sets shell variable {@code var} to the directory below which {@code self} (a path
     * relative to that directory) is this very file, starting from the path in {@code start}.
     * Walks up from the script's own directory: the script may be reached through a symlink
     * elsewhere in the bundle (a buildEnv-style {@code bin/curl}), at another depth. {@code -ef}
     * (same device and inode) makes the test exact: only the true location matches.
     */
    static void locate(ShellText sh, String start, ByteString self, String var) {
        sh.line("_cw_p=" + start);
        sh.line("_cw_n=0");
        sh.line("while :; do");
        sh.line("  case $_cw_p in */*) _cw_d=${_cw_p%/*} ;; *) _cw_d=. ;; esac");
        sh.line("  # Reached by its own path: no walk, and no failed lookup.");
        sh.text("  " + var + "=$_cw_d" + ups(self) + "\n");
        sh.text("  if [ ").path(var, self).line(" -ef \"$_cw_p\" ]; then break; fi");
        sh.line("  " + var + "=$_cw_d");
        sh.line("  _cw_i=0");
        sh.line("  while [ \"$_cw_i\" -lt " + MAX_DEPTH + " ]; do");
        sh.text("    if [ ").path(var, self).line(" -ef \"$_cw_p\" ]; then break 2; fi");
        sh.line("    " + var + "=$" + var + "/..");
        sh.line("    _cw_i=$((_cw_i + 1))");
        sh.line("  done");
        sh.line("  # Reached through a symlink from outside the bundle: no shell builtin reads a link.");
        sh.line("  if [ \"$_cw_n\" -lt " + MAX_LINKS + " ] && [ -L \"$_cw_p\" ] && _cw_l=$(readlink -- \"$_cw_p\"); then");
        sh.line("    case $_cw_l in /*) _cw_p=$_cw_l ;; *) case $_cw_p in */*) _cw_p=${_cw_p%/*}/$_cw_l ;; *) _cw_p=./$_cw_l ;; esac ;; esac");
        sh.line("    _cw_n=$((_cw_n + 1))");
        sh.line("  else");
        sh.text("    echo \"closure-wrap: cannot find the bundle that holds ").commentSafe(escapeForDoubleQuotes(self))
                .line(" from $0\" >&2");
        sh.line("    exit 127");
        sh.line("  fi");
        sh.line("done");
    }

    /** {@code /..} once per directory {@code self} has above its file name: the way up from its directory. */
    private static String ups(ByteString self) {
        StringBuilder ups = new StringBuilder();
        for (int i = 0; i < self.length(); i++) {
            if (self.byteAt(i) == '/') {
                ups.append("/..");
            }
        }
        return ups.toString();
    }

    /** For a message inside double quotes: {@code $ ` " \} escaped. */
    private static ByteString escapeForDoubleQuotes(ByteString bytes) {
        ByteString out = ByteString.EMPTY;
        int from = 0;
        for (int i = 0; i < bytes.length(); i++) {
            byte b = bytes.byteAt(i);
            if (b == '$' || b == '`' || b == '"' || b == '\\') {
                out = out.concat(bytes.substring(from, i)).concat(ByteString.utf8("\\"));
                from = i;
            }
        }
        return out.concat(bytes.substring(from, bytes.length()));
    }
}
