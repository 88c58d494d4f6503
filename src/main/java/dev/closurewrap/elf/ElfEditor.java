package dev.closurewrap.elf;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.BadInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

/**
 * The ELF editor: applies a list of {@link ElfEdit}s to a file. The edits first become a model of
 * the result ({@link EditModel}); {@link ElfLayout} then decides, once, where every changed
 * structure goes and produces an {@link ElfPatch}: the writes to make and the new size. Nothing is
 * written while deciding, so a refused file is never half-changed, and an edit list that changes
 * nothing yields an empty patch (the file stays byte for byte as it was).
 *
 * <p>Only dynamically linked executables (ET_EXEC and PIE) and shared libraries are edited.
 * Static and static-pie programs, the dynamic loader, musl's libc.so, separate debug files,
 * relocatable objects and anything without a dynamic section raise
 * {@link dev.closurewrap.io.UnsupportedInputException} naming the reason; broken files raise
 * {@link BadInputException}.
 */
public final class ElfEditor {
    private ElfEditor() {}

    /** Plans {@code edits} for the file at {@code path}. */
    public static ElfPatch plan(Path path, List<? extends ElfEdit> edits) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return plan(ElfInput.of(path.toString(), channel, 0, channel.size()), edits);
        }
    }

    /** A file as read before the edits, and the patch that makes them. */
    public record Planned(ElfFile before, ElfPatch patch) {}

    /**
     * Plans {@code edits} for a file already open: one parse gives both the file as it is (to
     * check the result against) and the patch.
     */
    public static Planned plan(String name, FileChannel channel, List<? extends ElfEdit> edits) throws IOException {
        ElfInput in = ElfInput.of(name, channel, 0, channel.size());
        ElfFile file = ElfReader.read(in);
        return new Planned(file, plan(file, in, edits));
    }

    /** Plans {@code edits} for an ELF image in memory; {@code name} is used in messages. */
    public static ElfPatch plan(String name, byte[] bytes, List<? extends ElfEdit> edits) throws IOException {
        return plan(ElfInput.of(name, bytes), edits);
    }

    /** The edited image of {@code bytes}; the same array contents if nothing changes. */
    public static byte[] edit(String name, byte[] bytes, List<? extends ElfEdit> edits) throws IOException {
        return plan(name, bytes, edits).applyTo(bytes);
    }

    /**
     * Edits the file at {@code input} and writes the result to {@code output} (which may be the same
     * path): through a temporary file in the output's directory and an atomic rename, keeping the
     * input's permissions. When the edits change nothing and output is input, nothing is written.
     *
     * @return whether the content changed
     */
    public static boolean edit(Path input, Path output, List<? extends ElfEdit> edits) throws IOException {
        try (FileChannel source = FileChannel.open(input, StandardOpenOption.READ)) {
            ElfPatch patch = plan(ElfInput.of(input.toString(), source, 0, source.size()), edits);
            if (patch.isEmpty() && Files.exists(output) && Files.isSameFile(input, output)) {
                return false;
            }
            Path temp = AtomicFiles.createTemp(output);
            try {
                try (FileChannel target = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    // No fsync: like patchelf and cp, durability is the caller's business; the
                    // rename still guarantees readers see the old file or the new one, never half.
                    patch.writeTo(source, target);
                }
                copyPermissions(input, temp);
                try {
                    Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return !patch.isEmpty();
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(from);
            Files.setPosixFilePermissions(to, permissions);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the temporary file's defaults are all there is.
        }
    }

    static ElfPatch plan(ElfInput in, List<? extends ElfEdit> edits) throws IOException {
        return plan(ElfReader.read(in), in, edits);
    }

    private static ElfPatch plan(ElfFile file, ElfInput in, List<? extends ElfEdit> edits) throws IOException {
        if (edits.isEmpty()) {
            return new ElfPatch(file.fileSize(), file.fileSize(), List.of());
        }
        ElfLayout.requireEditable(file);
        EditModel model = EditModel.of(file, edits);
        try {
            return new ElfLayout(file, in).plan(model);
        } catch (ArithmeticException e) {
            // Addresses and sizes near the top of the address space: the layout's exact arithmetic refuses them.
            throw new BadInputException(ElfInput.FORMAT, file.name(), BadInputException.NO_OFFSET,
                    "addresses or sizes overflow when laid out (" + e.getMessage() + ")");
        }
    }
}
