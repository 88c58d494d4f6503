package dev.closurewrap.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Glob patterns over store-path-relative paths ({@code lib/debug/foo.debug}): {@code *} and
 * {@code ?} stay inside one component, {@code **} spans any number of components (also none, so
 * {@code **}{@code /*.debug} matches {@code x.debug}), {@code [abc]} and {@code [!abc]} are classes.
 * A pattern matches the whole path, as in {@code .gitignore} patterns that contain a slash.
 */
public final class PathGlobs {
    private final List<String> patterns;
    private final List<Pattern> compiled;

    private PathGlobs(List<String> patterns, List<Pattern> compiled) {
        this.patterns = patterns;
        this.compiled = compiled;
    }

    /**
     * Compiles {@code globs}.
     *
     * @throws IllegalArgumentException naming the bad pattern and its problem
     */
    public static PathGlobs of(List<String> globs) {
        List<Pattern> compiled = new ArrayList<>();
        for (String glob : globs) {
            compiled.add(compile(glob));
        }
        return new PathGlobs(List.copyOf(globs), List.copyOf(compiled));
    }

    /** The patterns as written. */
    public List<String> patterns() {
        return patterns;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathGlobs other && other.patterns.equals(patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return String.join(" ", patterns);
    }

    public static PathGlobs none() {
        return of(List.of());
    }

    /** Whether {@code relativePath} (no leading slash, components joined by {@code /}) matches any pattern. */
    public boolean matches(String relativePath) {
        for (Pattern p : compiled) {
            if (p.matcher(relativePath).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The regular expression for one glob.
     *
     * @throws IllegalArgumentException with the problem, for an empty, absolute or unclosed pattern
     */
    static Pattern compile(String glob) {
        Objects.requireNonNull(glob, "glob");
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        if (glob.startsWith("/")) {
            throw new IllegalArgumentException("pattern '" + glob + "' is absolute; patterns are relative to the store path");
        }
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                boolean atStart = i == 0 || glob.charAt(i - 1) == '/';
                boolean slashAfter = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                boolean atEnd = i + 2 == glob.length();
                if (!atStart || !(slashAfter || atEnd)) {
                    throw new IllegalArgumentException("pattern '" + glob + "': ** must be a whole path component");
                }
                if (slashAfter) {
                    re.append("(?:[^/]*/)*"); // zero or more whole components
                    i += 3;
                } else {
                    re.append(".*");
                    i += 2;
                }
            } else if (c == '*') {
                re.append("[^/]*");
                i++;
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("pattern '" + glob + "': '[' without ']'");
                }
                String body = glob.substring(i + 1, close);
                boolean negated = body.startsWith("!");
                if (negated) {
                    body = body.substring(1);
                }
                re.append(negated ? "[^/" : "[");
                for (char b : body.toCharArray()) {
                    re.append(b == '-' || Character.isLetterOrDigit(b) ? String.valueOf(b) : "\\" + b);
                }
                re.append(']');
                i = close + 1;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
