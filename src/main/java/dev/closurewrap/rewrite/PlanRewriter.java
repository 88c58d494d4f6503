package dev.closurewrap.rewrite;

import dev.closurewrap.elf.ElfEdit;
import dev.closurewrap.elf.ElfEditor;
import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.TeeOutputStream;
import dev.closurewrap.plan.Action;
import dev.closurewrap.plan.FilePlan;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies one file's plan: (input bytes, plan) → output bytes, and nothing else. The output goes to a
 * file the caller names (a fresh temp file; the caller commits it). ELF edits are read back and
 * compared with the plan before the output counts, as facts.md asks of every edited file.
 */
public final class PlanRewriter {
    private PlanRewriter() {}

    /**
     * Writes the output of {@code plan} to {@code out} (created or truncated). Directories and
     * symlinks have no file output: asking for one is a programming error.
     *
     * @throws dev.closurewrap.io.UnsupportedInputException when the editor or script rewriter refuses the input
     * @throws dev.closurewrap.io.BadInputException when the input breaks its format
     */
    public static void write(FilePlan plan, Path out) throws IOException {
        write(plan, out, OutputStream.nullOutputStream());
    }

    /**
     * {@link #write(FilePlan, Path)}, every byte written also going to {@code observer} (a digest, a
     * reference scan), in file order: the caller learns about the output without reading it back.
     * The observer is not closed.
     */
    public static void write(FilePlan plan, Path out, OutputStream observer) throws IOException {
        Action action = plan.action();
        if (action instanceof Action.EditElf edit) {
            editElf(plan.source().orElseThrow(), edit.edits(), out, observer);
            return;
        }
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
             OutputStream both = new TeeOutputStream(file, observer)) {
            if (action instanceof Action.Copy) {
                Files.copy(plan.source().orElseThrow(), both);
            } else if (action instanceof Action.RelocateScript script) {
                byte[] content = Files.readAllBytes(plan.source().orElseThrow());
                Optional<ScriptRewriter.Result> result = new ScriptRewriter(script.storeDir(), script.bundled())
                        .relocate(script.scriptInStore(), content);
                both.write(result.map(ScriptRewriter.Result::content).orElse(content));
            } else if (action instanceof Action.PrefixText text) {
                byte[] content = Files.readAllBytes(plan.source().orElseThrow());
                Optional<ScriptRewriter.Result> result = new ScriptRewriter(text.storeDir(), text.bundled())
                        .prefix(plan.target(), content, text.newStoreDir());
                both.write(result.map(ScriptRewriter.Result::content).orElse(content));
            } else if (action instanceof Action.ExecShim shim) {
                both.write(BundleScripts.execShim(new ExecShimPlan(shim.shim(), shim.realFile(), loader(shim.loader()),
                        shim.libraryPath())));
            } else if (action instanceof Action.Launcher launcher) {
                both.write(BundleScripts.launcher(new LauncherPlan(launcher.name(), launcher.argv0(), launcher.program(),
                        launcher.loader().map(PlanRewriter::loader), launcher.libraryPath(), launcher.tree())));
            } else {
                throw new IllegalArgumentException(plan.target() + ": a " + action.kind() + " has no file content");
            }
        }
    }

    private static BundledLoader loader(Action.Loader loader) {
        return new BundledLoader(loader.path(), loader.family(), loader.acceptsArgv0());
    }

    private static void editElf(Path source, List<ElfEdit> edits, Path out, OutputStream observer) throws IOException {
        ElfFile before;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            ElfEditor.Planned planned = ElfEditor.plan(source.toString(), in, edits);
            before = planned.before();
            try (OutputStream file = Files.newOutputStream(out);
                 OutputStream both = new TeeOutputStream(file, observer)) {
                planned.patch().streamTo(in, both);
            }
        }
        readBack(source, before, edits, ElfFile.open(out));
    }

    /** The edited file, parsed again, must say what the edits asked for. */
    static void readBack(Path source, ElfFile before, List<ElfEdit> edits, ElfFile after) throws IOException {
        List<ByteString> needed = new ArrayList<>(before.needed());
        Optional<ByteString> runpath = before.runpath();
        Optional<ByteString> rpath = before.rpath();
        Optional<ByteString> interpreter = before.interpreterPath();
        for (ElfEdit edit : edits) {
            if (edit instanceof ElfEdit.ReplaceNeeded r) {
                needed.replaceAll(n -> n.equals(r.from()) ? r.to() : n);
            } else if (edit instanceof ElfEdit.SetNeeded s) {
                needed = new ArrayList<>(s.names());
            } else if (edit instanceof ElfEdit.AddNeeded a) {
                needed.add(0, a.name());
            } else if (edit instanceof ElfEdit.RemoveNeeded r) {
                needed.removeIf(n -> n.equals(r.name()));
            } else if (edit instanceof ElfEdit.SetSearchPath s) {
                boolean isRunpath = s.tag() == dev.closurewrap.elf.SearchPathTag.RUNPATH;
                runpath = isRunpath ? Optional.of(s.path()) : Optional.empty();
                rpath = isRunpath ? Optional.empty() : Optional.of(s.path());
            } else if (edit instanceof ElfEdit.RemoveSearchPath) {
                runpath = Optional.empty();
                rpath = Optional.empty();
            } else if (edit instanceof ElfEdit.SetInterpreter s) {
                interpreter = Optional.of(s.path());
            }
        }
        check(source, "DT_NEEDED", needed, after.needed());
        check(source, "DT_RUNPATH", runpath, after.runpath());
        check(source, "DT_RPATH", rpath, after.rpath());
        check(source, "PT_INTERP", interpreter, after.interpreterPath());
    }

    private static void check(Path source, String what, Object expected, Object actual) throws IOException {
        if (!expected.equals(actual)) {
            throw new RewriteMismatchException(source + ": edited file read back with " + what + " " + actual + ", planned " + expected);
        }
    }
}
