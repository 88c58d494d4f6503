package dev.closurewrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closurewrap.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares {@code closure-wrap inspect --json} with {@code readelf -h -l -d -V -W} on the fields both
 * print: class, data, type, PIE-ness, machine, interpreter, needed, rpath, runpath, soname and the
 * version needs (.gnu.version_r: each file and its version names).
 */
final class Readelf {
    private Readelf() {}

    /** What one tool says about one file, in a form both can be reduced to. */
    record Facts(String elfClass, String data, String type, boolean pie, String machine, String interpreter,
            List<String> needed, String rpath, String runpath, String soname, List<String> versionNeeds) {}

    static final int BATCH = 200;

    /** readelf's facts for every file, running one readelf per {@link #BATCH} files. */
    static Map<String, Facts> readelf(List<Path> files) throws IOException, InterruptedException {
        Map<String, Facts> facts = new LinkedHashMap<>();
        for (int from = 0; from < files.size(); from += BATCH) {
            List<Path> batch = files.subList(from, Math.min(files.size(), from + BATCH));
            List<String> command = new ArrayList<>(List.of("readelf", "-h", "-l", "-d", "-V", "-W"));
            batch.forEach(p -> command.add(p.toString()));
            // readelf exits non-zero when one file of the batch is not ELF; its facts for the rest still count.
            facts.putAll(parse(Processes.run(null, command).stdout(), batch));
        }
        return facts;
    }

    private static final Pattern FILE = Pattern.compile("^File: (.*)$", Pattern.MULTILINE);

    static Map<String, Facts> parse(String out, List<Path> batch) {
        Map<String, Facts> result = new LinkedHashMap<>();
        Matcher m = FILE.matcher(out);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        if (names.isEmpty() && batch.size() == 1) {
            result.put(batch.get(0).toString(), parseOne(out));
            return result;
        }
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : out.length();
            result.put(names.get(i), parseOne(out.substring(starts.get(i)[1], end)));
        }
        return result;
    }

    private static final Pattern CLASS = Pattern.compile("^\\s+Class:\\s+(\\S+)$", Pattern.MULTILINE);
    private static final Pattern DATA = Pattern.compile("^\\s+Data:\\s+2's complement, (\\S+) endian$", Pattern.MULTILINE);
    private static final Pattern TYPE = Pattern.compile("^\\s+Type:\\s+(\\S+)(.*)$", Pattern.MULTILINE);
    private static final Pattern MACHINE = Pattern.compile("^\\s+Machine:\\s+(.+)$", Pattern.MULTILINE);
    private static final Pattern INTERP = Pattern.compile("\\[Requesting program interpreter: (.*)\\]$", Pattern.MULTILINE);
    private static final Pattern DYN = Pattern.compile(
            "^ 0x[0-9a-f]+ \\((NEEDED|SONAME|RPATH|RUNPATH)\\)\\s+(?:Shared library|Library soname|Library rpath|Library runpath): \\[(.*)\\]$",
            Pattern.MULTILINE);

    static Facts parseOne(String text) {
        Matcher type = TYPE.matcher(text);
        boolean hasType = type.find();
        List<String> needed = new ArrayList<>();
        String rpath = null;
        String runpath = null;
        String soname = null;
        Matcher d = DYN.matcher(text);
        while (d.find()) {
            switch (d.group(1)) {
                case "NEEDED" -> needed.add(d.group(2));
                case "SONAME" -> soname = d.group(2);
                case "RPATH" -> rpath = d.group(2);
                case "RUNPATH" -> runpath = d.group(2);
                default -> throw new IllegalStateException(d.group(1));
            }
        }
        return new Facts(first(CLASS, text), first(DATA, text) == null ? null : first(DATA, text) + "-endian",
                hasType ? type.group(1) : null, hasType && type.group(2).contains("Position-Independent"),
                first(MACHINE, text), first(INTERP, text), needed, rpath, runpath, soname, versionNeeds(text));
    }

    /** The "Version needs section" block of readelf -V, as "file: version version ..." lines. */
    static List<String> versionNeeds(String text) {
        List<String> result = new ArrayList<>();
        int start = text.indexOf("Version needs section '");
        if (start < 0) {
            return result;
        }
        StringBuilder current = null;
        for (String line : text.substring(start).split("\n")) {
            if (line.isBlank()) {
                break;
            }
            Matcher file = Pattern.compile("^  (?:0x)?[0-9a-f]+: Version: \\d+\\s+File: (\\S+)\\s+Cnt: \\d+").matcher(line);
            Matcher name = Pattern.compile("^  0x[0-9a-f]+:\\s+Name: (\\S+)\\s+Flags:").matcher(line);
            if (file.find()) {
                if (current != null) {
                    result.add(current.toString());
                }
                current = new StringBuilder(file.group(1)).append(":");
            } else if (name.find() && current != null) {
                current.append(' ').append(name.group(1));
            }
        }
        if (current != null) {
            result.add(current.toString());
        }
        return result;
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** closure-wrap's facts for every file: one in-process {@code inspect --json} per batch. */
    static Map<String, Facts> inspect(List<Path> files, List<String> failures) throws IOException {
        Map<String, Facts> facts = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (int from = 0; from < files.size(); from += BATCH) {
            List<Path> batch = files.subList(from, Math.min(files.size(), from + BATCH));
            List<String> args = new ArrayList<>(List.of("inspect", "--json"));
            batch.forEach(p -> args.add(p.toString()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    args.toArray(String[]::new));
            for (JsonNode n : mapper.readTree(out.toByteArray())) {
                String file = n.get("file").asText();
                if (n.get("kind").asText().equals("error")) {
                    failures.add(file + ": " + n.get("error").get("message").asText());
                    continue;
                }
                if (n.get("kind").asText().equals("not-elf")) {
                    failures.add(file + ": inspect says not ELF");
                    continue;
                }
                facts.put(file, facts(n));
            }
        }
        return facts;
    }

    static Facts facts(JsonNode n) {
        List<String> needed = new ArrayList<>();
        n.get("needed").forEach(s -> needed.add(text(s)));
        JsonNode flags1 = n.get("flags_1");
        boolean pie = false;
        if (!flags1.isNull()) {
            for (JsonNode name : flags1.get("names")) {
                pie |= name.asText().equals("PIE");
            }
        }
        List<String> versionNeeds = new ArrayList<>();
        for (JsonNode need : n.get("version_needs")) {
            StringBuilder line = new StringBuilder(text(need.get("file"))).append(':');
            need.get("versions").forEach(v -> line.append(' ').append(text(v)));
            versionNeeds.add(line.toString());
        }
        return new Facts(n.get("class").asText(), n.get("data").asText(), n.get("type").asText(),
                pie && n.get("type").asText().equals("DYN"), n.get("machine").asText(), text(n.get("interpreter")),
                needed, text(n.get("rpath")), text(n.get("runpath")), text(n.get("soname")), versionNeeds);
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isObject() ? n.get("escaped").asText() : n.asText();
    }

    /** One line per field on which the two disagree. */
    static List<String> differences(String file, Facts ours, Facts theirs) {
        List<String> diffs = new ArrayList<>();
        if (theirs == null) {
            diffs.add(file + ": readelf printed nothing for it");
            return diffs;
        }
        compare(diffs, file, "class", ours.elfClass(), theirs.elfClass());
        compare(diffs, file, "data", ours.data(), theirs.data());
        compare(diffs, file, "type", ours.type(), theirs.type());
        compare(diffs, file, "pie", ours.pie(), theirs.pie());
        compare(diffs, file, "machine", ours.machine(), theirs.machine());
        compare(diffs, file, "interpreter", ours.interpreter(), theirs.interpreter());
        compare(diffs, file, "needed", ours.needed(), theirs.needed());
        compare(diffs, file, "rpath", ours.rpath(), theirs.rpath());
        compare(diffs, file, "runpath", ours.runpath(), theirs.runpath());
        compare(diffs, file, "soname", ours.soname(), theirs.soname());
        compare(diffs, file, "version needs", ours.versionNeeds(), theirs.versionNeeds());
        return diffs;
    }

    private static void compare(List<String> diffs, String file, String field, Object ours, Object theirs) {
        if (!Objects.equals(ours, theirs)) {
            diffs.add(file + ": " + field + ": inspect says " + ours + ", readelf says " + theirs);
        }
    }

    static boolean hasElfMagic(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    static void requireTool(String tool) {
        try {
            Processes.check(null, tool, "--version");
        } catch (IOException e) {
            throw new UncheckedIOException(tool + " is needed for this test", e);
        }
    }
}
