package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.UnsupportedInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the file's dynamic-linking information should say once the edits are applied, before any
 * layout: the DT_NEEDED list, the soname and search-path entries, the interpreter and the version
 * need file names. Edits apply to it in order.
 */
final class EditModel {
    /** A string-valued dynamic entry of the result. */
    record StringEntry(long tag, ByteString value) {}

    final ElfFile file;
    final List<ByteString> needed;
    List<StringEntry> soname;
    List<StringEntry> searchPath;
    Optional<ByteString> interpreter;
    /** vn_file of each {@code .gnu.version_r} entry, parallel to {@link ElfFile#versionNeeds()}; null once dropped. */
    final List<ByteString> versionNeedFiles;

    private EditModel(ElfFile file) {
        this.file = file;
        this.needed = new ArrayList<>(file.needed());
        this.soname = stringEntries(file, DT_SONAME);
        this.searchPath = new ArrayList<>();
        for (DynamicString s : file.dynamicStrings()) {
            if (s.tag() == DT_RPATH || s.tag() == DT_RUNPATH) {
                searchPath.add(new StringEntry(s.tag(), s.value()));
            }
        }
        this.interpreter = file.interpreterPath();
        this.versionNeedFiles = new ArrayList<>();
        file.versionNeeds().forEach(v -> versionNeedFiles.add(v.fileName()));
    }

    static EditModel of(ElfFile file, List<? extends ElfEdit> edits) throws UnsupportedInputException {
        EditModel model = new EditModel(file);
        for (ElfEdit edit : edits) {
            model.apply(edit);
        }
        return model;
    }

    private static List<StringEntry> stringEntries(ElfFile file, long tag) {
        List<StringEntry> list = new ArrayList<>();
        file.dynamicStrings(tag).forEach(s -> list.add(new StringEntry(tag, s.value())));
        return list;
    }

    private void apply(ElfEdit edit) throws UnsupportedInputException {
        if (edit instanceof ElfEdit.ReplaceNeeded r) {
            needed.replaceAll(n -> n.equals(r.from()) ? r.to() : n);
            renameVersionNeedFile(r.from(), r.to());
        } else if (edit instanceof ElfEdit.AddNeeded a) {
            // Put in front like patchelf, in the order given; a name already needed is not added twice.
            if (!needed.contains(a.name())) {
                needed.add(Math.min(added++, needed.size()), a.name());
            }
        } else if (edit instanceof ElfEdit.RemoveNeeded r) {
            needed.removeIf(n -> n.equals(r.name()));
            versionNeedFiles.replaceAll(f -> r.name().equals(f) ? null : f);
        } else if (edit instanceof ElfEdit.SetNeeded s) {
            needed.clear();
            needed.addAll(s.names());
        } else if (edit instanceof ElfEdit.RenameVersionNeedFile r) {
            renameVersionNeedFile(r.from(), r.to());
        } else if (edit instanceof ElfEdit.SetSearchPath s) {
            searchPath = new ArrayList<>(List.of(new StringEntry(s.tag().tag(), s.path())));
        } else if (edit instanceof ElfEdit.AddSearchPath a) {
            Optional<ByteString> current = currentSearchPath();
            ByteString joined = current.isEmpty() || current.get().length() == 0 ? a.directories()
                    : current.get().concat(ByteString.utf8(":")).concat(a.directories());
            searchPath = new ArrayList<>(List.of(new StringEntry(a.tag().tag(), joined)));
        } else if (edit instanceof ElfEdit.RemoveSearchPath) {
            searchPath = new ArrayList<>();
        } else if (edit instanceof ElfEdit.SetInterpreter s) {
            if (interpreter.isEmpty()) {
                throw new UnsupportedInputException(file.name(), "cannot set the interpreter: the file has no PT_INTERP");
            }
            interpreter = Optional.of(s.path());
        } else if (edit instanceof ElfEdit.SetSoname s) {
            soname = new ArrayList<>(List.of(new StringEntry(DT_SONAME, s.name())));
        } else {
            throw new IllegalArgumentException("unknown edit " + edit);
        }
    }

    /** How many names --add-needed has put in front so far. */
    private int added;

    private void renameVersionNeedFile(ByteString from, ByteString to) {
        versionNeedFiles.replaceAll(f -> f != null && f.equals(from) ? to : f);
    }

    /** The search path the loader uses: DT_RUNPATH if present, else DT_RPATH. */
    Optional<ByteString> currentSearchPath() {
        Optional<ByteString> rpath = Optional.empty();
        for (StringEntry e : searchPath) {
            if (e.tag() == DT_RUNPATH) {
                return Optional.of(e.value());
            }
            rpath = Optional.of(e.value());
        }
        return rpath;
    }

    boolean versionNeedDropped(int index) {
        return versionNeedFiles.get(index) == null;
    }

    int keptVersionNeeds() {
        return (int) versionNeedFiles.stream().filter(f -> f != null).count();
    }

    /** Whether the result says exactly what the file says now. */
    boolean unchanged() {
        if (!needed.equals(file.needed()) || !interpreter.equals(file.interpreterPath())) {
            return false;
        }
        if (!soname.equals(stringEntries(file, DT_SONAME))) {
            return false;
        }
        List<StringEntry> original = new ArrayList<>();
        for (DynamicString s : file.dynamicStrings()) {
            if (s.tag() == DT_RPATH || s.tag() == DT_RUNPATH) {
                original.add(new StringEntry(s.tag(), s.value()));
            }
        }
        if (!searchPath.equals(original)) {
            return false;
        }
        for (int i = 0; i < versionNeedFiles.size(); i++) {
            if (!file.versionNeeds().get(i).fileName().equals(versionNeedFiles.get(i))) {
                return false;
            }
        }
        return true;
    }
}
