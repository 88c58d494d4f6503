package dev.closurewrap.bundle;

import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the configuration in layers, each overriding the one before key by key:
 * the defaults built into the tool ({@code config/closure-wrap.conf}, packaged as {@link #DEFAULTS_RESOURCE}),
 * {@code /etc/closure-wrap/config}, {@code $XDG_CONFIG_HOME/closure-wrap/config}
 * (else {@code ~/.config/closure-wrap/config}), {@code --config FILE}, then {@code --option KEY VALUE}.
 * The first two user files are optional; a file named with {@code --config} must exist.
 *
 * <p>The syntax is nix.conf's: {@code key = value} lines, {@code #} to the end of the line is a comment,
 * lists are separated by white space, {@code extra-KEY} appends to list {@code KEY}. Every line is checked
 * when it is read, so a bad value is reported at its own file and line:
 * <pre>/etc/closure-wrap/config:7: bad closure-wrap config: zstd-level must be 1 to 22, got 30</pre>
 */
public final class ConfigLoader {
    /** Where the shipped defaults sit on the class path. */
    public static final String DEFAULTS_RESOURCE = "/dev/closurewrap/config/closure-wrap.conf";
    static final String FORMAT = "closure-wrap config";
    /** How an {@code --option KEY VALUE} pair is named in an error: {@code --option zstd-level}. */
    public static final String OPTION_LAYER = "--option ";
    /** Configuration is a few lines; anything this large is not a configuration file. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private enum Kind { SCALAR, LIST }

    private static final Map<String, Kind> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("store-dir", Kind.SCALAR);
        KEYS.put("jobs", Kind.SCALAR);
        KEYS.put("state-dir", Kind.SCALAR);
        KEYS.put("gzip-level", Kind.SCALAR);
        KEYS.put("xz-level", Kind.SCALAR);
        KEYS.put("zstd-level", Kind.SCALAR);
        KEYS.put("hardlink", Kind.SCALAR);
        KEYS.put("sync-output", Kind.SCALAR);
        KEYS.put("checkpoint-sync-every", Kind.SCALAR);
        KEYS.put("exclude", Kind.LIST);
        KEYS.put("host-library-dirs", Kind.LIST);
        KEYS.put("progress-log-interval", Kind.SCALAR);
        KEYS.put("binary-cache-compression", Kind.SCALAR);
        KEYS.put("secret-key-files", Kind.LIST);
        KEYS.put("staged-max-size", Kind.SCALAR);
    }

    private final Optional<Path> systemFile;
    private final Optional<Path> userFile;
    private final int availableProcessors;

    /**
     * @param systemFile the machine's file, normally {@code /etc/closure-wrap/config}; skipped if absent
     * @param userFile the user's file; skipped if absent
     * @param availableProcessors what {@code jobs = auto} means
     */
    public ConfigLoader(Optional<Path> systemFile, Optional<Path> userFile, int availableProcessors) {
        if (availableProcessors < 1) {
            throw new IllegalArgumentException("availableProcessors must be at least 1");
        }
        this.systemFile = systemFile;
        this.userFile = userFile;
        this.availableProcessors = availableProcessors;
    }

    /** The loader for this process: {@code /etc/closure-wrap/config}, the XDG user file, every core. */
    public static ConfigLoader forEnvironment(Map<String, String> env) {
        return new ConfigLoader(Optional.of(Path.of("/etc/closure-wrap/config")), userFile(env),
                Runtime.getRuntime().availableProcessors());
    }

    /** {@code $XDG_CONFIG_HOME/closure-wrap/config}; a relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
    static Optional<Path> userFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Optional.of(Path.of(xdg, "closure-wrap", "config"));
        }
        String home = env.get("HOME");
        if (home != null && !home.isEmpty() && Path.of(home).isAbsolute()) {
            return Optional.of(Path.of(home, ".config", "closure-wrap", "config"));
        }
        return Optional.empty();
    }

    /** Defaults, then the system and user files. */
    public WrapConfig load() throws IOException {
        return load(Optional.empty(), List.of());
    }

    /**
     * Every layer.
     *
     * @param explicitFile {@code --config FILE}: must exist
     * @param options {@code --option KEY VALUE} pairs, in command-line order; an error in one is
     *     a {@link BadInputException} whose file is {@link #OPTION_LAYER} and the key
     */
    public WrapConfig load(Optional<Path> explicitFile, List<Map.Entry<String, String>> options) throws IOException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        // The defaults are the one layer checked only as a whole: they are complete only at their end.
        applyText(values, readDefaults(), "<built-in defaults>", false);
        buildOrInternalError(values);
        if (systemFile.isPresent()) {
            applyFileIfPresent(values, systemFile.get());
        }
        if (userFile.isPresent()) {
            applyFileIfPresent(values, userFile.get());
        }
        if (explicitFile.isPresent()) {
            Path file = explicitFile.get();
            String text;
            try {
                text = read(file);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(file.toString(), null, "no such configuration file");
            }
            applyText(values, text, file.toString(), true);
        }
        for (Map.Entry<String, String> option : options) {
            String key = option.getKey().strip();
            if (key.isEmpty() || key.contains("=") || key.contains("#") || option.getValue().contains("#")) {
                throw new BadInputException(FORMAT, OPTION_LAYER + key, BadInputException.NO_OFFSET,
                        "a key has no '=' and neither has a '#'");
            }
            applyLine(values, key + " = " + option.getValue(), OPTION_LAYER + key, 0, true);
        }
        return build(values);
    }

    /** The defaults file's text, from the class path. */
    public static String readDefaults() throws IOException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IOException("closure-wrap is missing its built-in configuration " + DEFAULTS_RESOURCE
                        + " (a broken build?)");
            }
            return decode(in.readAllBytes(), DEFAULTS_RESOURCE);
        }
    }

    /** The keys closure-wrap understands, in the order of the defaults file. */
    public static List<String> keys() {
        return List.copyOf(KEYS.keySet());
    }

    private void applyFileIfPresent(Map<String, List<String>> values, Path file) throws IOException {
        String text;
        try {
            text = read(file);
        } catch (NoSuchFileException e) {
            return;
        }
        applyText(values, text, file.toString(), true);
    }

    private static String read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadInputException(FORMAT, file.toString(), BadInputException.NO_OFFSET, "is a directory");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO or device could block forever or never end.
            throw new BadInputException(FORMAT, file.toString(), BadInputException.NO_OFFSET, "is not a regular file");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new BadInputException(FORMAT, file.toString(), BadInputException.NO_OFFSET,
                    String.format("file is %,d bytes; a configuration file is at most %,d", size, MAX_FILE_BYTES));
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    private static String decode(byte[] bytes, String name) throws BadInputException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(FORMAT, name, BadInputException.NO_OFFSET, "not valid UTF-8");
        }
    }

    private void applyText(Map<String, List<String>> values, String text, String file, boolean checkEachLine)
            throws BadInputException {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            applyLine(values, lines[i], file, i + 1, checkEachLine);
        }
    }

    private void applyLine(Map<String, List<String>> values, String line, String file, int lineNumber,
                           boolean checkResult) throws BadInputException {
        int hash = line.indexOf('#');
        String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (content.isEmpty()) {
            return;
        }
        int eq = content.indexOf('=');
        if (eq < 0) {
            throw bad(file, lineNumber, "expected 'key = value', got '" + content + "'");
        }
        String key = content.substring(0, eq).strip();
        List<String> tokens = tokens(content.substring(eq + 1));
        boolean extra = key.startsWith("extra-") && !KEYS.containsKey(key);
        String base = extra ? key.substring("extra-".length()) : key;
        Kind kind = KEYS.get(base);
        if (kind == null) {
            throw bad(file, lineNumber, "unknown key '" + key + "'" + suggestion(base));
        }
        if (extra && kind != Kind.LIST) {
            throw bad(file, lineNumber, "'" + key + "': " + base + " is not a list, so it has no extra- form");
        }
        if (kind == Kind.SCALAR && tokens.size() != 1) {
            throw bad(file, lineNumber, "'" + key + "' takes one value, got " + tokens.size());
        }
        List<String> merged = new ArrayList<>(extra ? values.getOrDefault(base, List.of()) : List.of());
        merged.addAll(tokens);
        List<String> previous = values.put(base, List.copyOf(merged));
        if (checkResult) {
            try {
                build(values);
            } catch (IllegalArgumentException e) {
                if (previous == null) {
                    values.remove(base);
                } else {
                    values.put(base, previous);
                }
                throw bad(file, lineNumber, e.getMessage());
            }
        }
    }

    private static List<String> tokens(String value) {
        List<String> tokens = new ArrayList<>();
        for (String t : value.strip().split("\\s+")) {
            if (!t.isEmpty()) {
                tokens.add(t);
            }
        }
        return tokens;
    }

    private static String suggestion(String key) {
        for (String known : KEYS.keySet()) {
            if (known.replace("-", "").equalsIgnoreCase(key.replace("-", "").replace("_", ""))) {
                return " (did you mean '" + known + "'?)";
            }
        }
        return "; known keys: " + String.join(", ", KEYS.keySet());
    }

    private static BadInputException bad(String file, int line, String problem) {
        return new BadInputException(FORMAT, line > 0 ? file + ":" + line : file, BadInputException.NO_OFFSET, problem);
    }

    private void buildOrInternalError(Map<String, List<String>> values) throws IOException {
        try {
            build(values);
        } catch (IllegalArgumentException e) {
            throw new IOException("closure-wrap's built-in configuration is broken: " + e.getMessage(), e);
        }
    }

    /** The configuration from complete raw values; IllegalArgumentException names the key at fault. */
    private WrapConfig build(Map<String, List<String>> v) {
        String jobs = scalar(v, "jobs");
        List<Path> hostDirs = new ArrayList<>();
        for (String dir : list(v, "host-library-dirs")) {
            hostDirs.add(Path.of(dir));
        }
        PathGlobs exclude;
        try {
            exclude = PathGlobs.of(list(v, "exclude"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("exclude: " + e.getMessage(), e);
        }
        return new WrapConfig(
                Path.of(scalar(v, "store-dir")),
                jobs.equals("auto") ? availableProcessors : integer(jobs, "jobs", "a number or 'auto'"),
                scalar(v, "state-dir"),
                integer(v, "gzip-level"),
                integer(v, "xz-level"),
                integer(v, "zstd-level"),
                bool(v, "hardlink"),
                bool(v, "sync-output"),
                integer(v, "checkpoint-sync-every"),
                exclude,
                hostDirs,
                Duration.ofSeconds(integer(v, "progress-log-interval")),
                cacheCompression(scalar(v, "binary-cache-compression")),
                secretKeyFile(list(v, "secret-key-files")),
                size(scalar(v, "staged-max-size"), "staged-max-size"));
    }

    private static Compression cacheCompression(String text) {
        return switch (text) {
            case "xz" -> Compression.XZ;
            case "zstd" -> Compression.ZSTD;
            case "none" -> Compression.NONE;
            default -> throw new IllegalArgumentException("binary-cache-compression must be xz, zstd or none, got '"
                    + text + "'");
        };
    }

    private static Optional<Path> secretKeyFile(List<String> files) {
        if (files.size() > 1) {
            throw new IllegalArgumentException("secret-key-files: closure-wrap signs with one key, got " + files.size());
        }
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path file = Path.of(files.get(0));
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("secret-key-files must be absolute paths, got " + file);
        }
        return Optional.of(file);
    }

    private static String scalar(Map<String, List<String>> v, String key) {
        List<String> value = v.get(key);
        if (value == null || value.size() != 1) {
            throw new IllegalArgumentException(key + " is not set");
        }
        return value.get(0);
    }

    private static List<String> list(Map<String, List<String>> v, String key) {
        List<String> value = v.get(key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is not set");
        }
        return value;
    }

    private static int integer(Map<String, List<String>> v, String key) {
        return integer(scalar(v, key), key, "a number");
    }

    private static int integer(String text, String key, String expected) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be " + expected + ", got '" + text + "'");
        }
    }

    /** {@code unlimited}, or a number of bytes with an optional K, M, G or T suffix (powers of 1024). */
    static long size(String text, String key) {
        if (text.equals("unlimited")) {
            return Long.MAX_VALUE;
        }
        int shift = 0;
        String digits = text;
        int suffix = text.isEmpty() ? -1 : "KMGT".indexOf(text.charAt(text.length() - 1));
        if (suffix >= 0) {
            shift = 10 * (suffix + 1);
            digits = text.substring(0, text.length() - 1);
        }
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || (value << shift >> shift) != value || (value << shift) < 0) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be 'unlimited' or a size in bytes (a number, or one"
                    + " ending in K, M, G or T), got '" + text + "'");
        }
    }

    private static boolean bool(Map<String, List<String>> v, String key) {
        String text = scalar(v, key);
        if (text.equals("true")) {
            return true;
        }
        if (text.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(key + " must be true or false, got '" + text + "'");
    }
}
