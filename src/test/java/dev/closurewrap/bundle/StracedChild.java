package dev.closurewrap.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a class's {@code main} in a child JVM under {@code strace -f -y} (file descriptors shown
 * with their paths) and gives back the traced calls, one whole line each: a call that another
 * thread cut into {@code <unfinished ...>} and {@code <... NAME resumed>} is joined and counts
 * where it ended. The durability tests read the order of fsyncs and renames from it.
 */
final class StracedChild {
    /** A successful fsync or fdatasync; group 1 is the path of the file descriptor. */
    static final Pattern FSYNC = Pattern.compile("^\\d+ +f(?:data)?sync\\(\\d+<(.*)>\\) += 0$");
    private static final Pattern RESUMED = Pattern.compile("^\\d+ +<\\.\\.\\. \\w+ resumed>(.*)$");

    private StracedChild() {}

    /** The calls named in {@code syscalls} (strace's {@code trace=} list) that {@code main} made; it must exit 0. */
    static List<String> trace(Path traceFile, String syscalls, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "signal=none", "-y", "-s", "4096",
                "-e", "trace=" + syscalls, "-o", traceFile.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), output);
        List<String> lines = new ArrayList<>();
        Map<String, String> unfinished = new HashMap<>();
        for (String raw : Files.readAllLines(traceFile, StandardCharsets.ISO_8859_1)) {
            String pid = raw.substring(0, Math.max(0, raw.indexOf(' ')));
            if (raw.endsWith(" <unfinished ...>")) {
                unfinished.put(pid, raw.substring(0, raw.length() - " <unfinished ...>".length()));
                continue;
            }
            Matcher resumed = RESUMED.matcher(raw);
            lines.add(resumed.matches() && unfinished.containsKey(pid) ? unfinished.remove(pid) + resumed.group(1) : raw);
        }
        return lines;
    }
}
