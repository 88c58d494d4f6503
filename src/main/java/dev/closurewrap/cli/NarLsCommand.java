package dev.closurewrap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarNode;
import dev.closurewrap.nar.NarReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nar ls FILE [PATH]}: what {@code nix nar ls} shows, streamed (the archive is read once,
 * never held in memory), and the whole archive is checked even when only part is listed.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the contents of a NAR file (plain or compressed; - for standard input), like nix nar ls.")
final class NarLsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    String file;

    @Parameters(index = "1", paramLabel = "PATH", defaultValue = "/", description = "Path inside the archive (default: the root).")
    String inside;

    @Option(names = {"-R", "--recursive"}, description = "List directories recursively.")
    boolean recursive;

    @Option(names = {"-l", "--long"}, description = "Show type, permissions and size.")
    boolean longFormat;

    @Option(names = "--json", description = "Print JSON (type, size, executable, target, narOffset), like nix nar ls --json.")
    boolean json;

    @Spec
    CommandSpec spec;

    private ByteString base;
    private boolean found;
    private boolean baseIsDirectory;

    @Override
    public Integer call() throws IOException {
        base = ByteString.utf8(trimSlashes(inside));
        PrintWriter out = spec.commandLine().getOut();
        String name = file.equals("-") ? "<stdin>" : file;
        try (InputStream raw = file.equals("-") ? new FileInputStream(FileDescriptor.in) : Files.newInputStream(Path.of(file));
             NarReader reader = NarReader.standalone(NarCompression.decompressing(raw, name), name)) {
            if (json) {
                JsonGenerator g = new JsonFactory().createGenerator(out);
                listJson(reader, g);
                g.flush();
                out.println();
            } else {
                listText(reader, out);
            }
        }
        if (!found) {
            spec.commandLine().getErr().println("closure-wrap: " + name + ": no path \"" + inside + "\" in the archive");
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }

    /** Depth below the listed path, or -1 if the node is not at or below it. */
    private int relativeDepth(ByteString path) {
        if (base.length() == 0) {
            return depth(path);
        }
        if (path.equals(base)) {
            return 0;
        }
        if (path.length() > base.length() && path.startsWith(base) && path.byteAt(base.length()) == '/') {
            return depth(path) - depth(base);
        }
        return -1;
    }

    private static int depth(ByteString path) {
        if (path.length() == 0) {
            return 0;
        }
        int d = 1;
        for (int i = 0; i < path.length(); i++) {
            if (path.byteAt(i) == '/') {
                d++;
            }
        }
        return d;
    }

    private void listText(NarReader reader, PrintWriter out) throws IOException {
        for (NarNode node; (node = reader.next()) != null; ) {
            int rel = relativeDepth(node.path());
            if (rel < 0) {
                continue;
            }
            String shown;
            if (rel == 0) {
                found = true;
                baseIsDirectory = node instanceof NarNode.Directory;
                if (baseIsDirectory) {
                    continue;
                }
                shown = node.name().toString();
            } else if (!baseIsDirectory || (!recursive && rel > 1)) {
                continue;
            } else {
                shown = "." + (base.length() == 0 ? "/" + node.path() : node.path().substring(base.length(), node.path().length()));
            }
            out.println(longFormat ? longLine(node, shown) : shown);
        }
    }

    private static String longLine(NarNode node, String shown) {
        if (node instanceof NarNode.Regular f) {
            return String.format("%s %20d %s", f.executable() ? "-r-xr-xr-x" : "-r--r--r--", f.size(), shown);
        }
        if (node instanceof NarNode.Symlink l) {
            return String.format("%s %20d %s -> %s", "lrwxrwxrwx", 0, shown, l.target());
        }
        return String.format("%s %20d %s", "dr-xr-xr-x", 0, shown);
    }

    private void listJson(NarReader reader, JsonGenerator g) throws IOException {
        // Objects open for directories on the current branch, relative to the listed path.
        int openDirs = 0;
        for (NarNode node; (node = reader.next()) != null; ) {
            int rel = relativeDepth(node.path());
            if (rel < 0 || (found && !baseIsDirectory)) {
                continue;
            }
            if (rel == 0) {
                found = true;
                baseIsDirectory = node instanceof NarNode.Directory;
            }
            boolean shallow = !recursive && rel == 1;
            if (!recursive && rel > 1) {
                continue;
            }
            while (openDirs > rel) {
                g.writeEndObject();
                g.writeEndObject();
                openDirs--;
            }
            if (rel > 0) {
                g.writeFieldName(node.name().utf8());
            }
            g.writeStartObject();
            if (shallow) {
                g.writeEndObject();
                continue;
            }
            if (node instanceof NarNode.Regular f) {
                g.writeStringField("type", "regular");
                g.writeNumberField("size", f.size());
                if (f.executable()) {
                    g.writeBooleanField("executable", true);
                }
                g.writeNumberField("narOffset", reader.contentsOffset());
                g.writeEndObject();
            } else if (node instanceof NarNode.Symlink l) {
                g.writeStringField("type", "symlink");
                g.writeStringField("target", l.target().utf8());
                g.writeEndObject();
            } else {
                g.writeStringField("type", "directory");
                g.writeObjectFieldStart("entries");
                openDirs = rel + 1;
            }
        }
        while (openDirs > 0) {
            g.writeEndObject();
            g.writeEndObject();
            openDirs--;
        }
    }

    private static String trimSlashes(String p) {
        String s = p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
