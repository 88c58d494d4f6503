package dev.closurewrap.graph;

import static dev.closurewrap.elf.ElfConstants.DF_1_NODEFLIB;

import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.elf.ElfKind;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a dynamic loader reads from one ELF object: the header facts it checks before accepting a
 * file (class, machine) and the dynamic strings it acts on. The whole ELF file is not kept: a
 * graph of a large closure holds only these.
 */
public record LoadableObject(ElfKind kind, LoaderFamily family, int elfClass, int machine,
        Optional<ByteString> interpreter, List<ByteString> needed, Optional<ByteString> soname,
        Optional<ByteString> rpath, Optional<ByteString> runpath, boolean noDefaultLib) {

    public LoadableObject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(interpreter, "interpreter");
        needed = List.copyOf(needed);
        Objects.requireNonNull(soname, "soname");
        Objects.requireNonNull(rpath, "rpath");
        Objects.requireNonNull(runpath, "runpath");
    }

    public static LoadableObject of(ElfFile elf) {
        return new LoadableObject(elf.kind(), elf.loaderFamily(), elf.elfClass().code(), elf.machine(),
                elf.interpreterPath(), elf.needed(), elf.soname(), elf.rpath(), elf.runpath(),
                (elf.flags1().orElse(0) & DF_1_NODEFLIB) != 0);
    }

    /**
     * The DT_RPATH the glibc loader uses: none when DT_RUNPATH is present (glibc drops DT_RPATH
     * while reading the dynamic section, so it is not inherited either).
     */
    public Optional<ByteString> effectiveRpath() {
        return runpath.isPresent() ? Optional.empty() : rpath;
    }

    /** A copy with other DT_NEEDED entries, for predicting the loader after a rewrite. */
    public LoadableObject withNeeded(List<ByteString> newNeeded) {
        return new LoadableObject(kind, family, elfClass, machine, interpreter, newNeeded, soname, rpath, runpath,
                noDefaultLib);
    }

    /** A copy with another DT_RUNPATH (and no DT_RPATH), for predicting the musl loader after a rewrite. */
    public LoadableObject withRunpath(Optional<ByteString> newRunpath) {
        return new LoadableObject(kind, family, elfClass, machine, interpreter, needed, soname, Optional.empty(),
                newRunpath, noDefaultLib);
    }

    /** Whether the loader would map this file for a program of {@code elfClass} and {@code machine}. */
    public boolean fits(int programClass, int programMachine) {
        return elfClass == programClass && machine == programMachine;
    }
}
