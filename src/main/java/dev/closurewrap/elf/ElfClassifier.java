package dev.closurewrap.elf;

import static dev.closurewrap.elf.ElfConstants.*;

import dev.closurewrap.io.ByteString;
import java.util.List;
import java.util.Optional;

/** The classification rules of docs/formats.md: what kind of object a file is, and whose loader runs it. */
final class ElfClassifier {
    private ElfClassifier() {}

    private static final ByteString GLIBC_LIBC = ByteString.utf8("libc.so.6");
    private static final ByteString MUSL_LIBC = ByteString.utf8("libc.so");
    private static final ByteString GLIBC_VERSION_PREFIX = ByteString.utf8("GLIBC_");

    static ElfKind kind(ElfFile f) {
        int type = f.header().type();
        if (type == ET_REL) {
            return ElfKind.RELOCATABLE;
        }
        if (type == ET_CORE) {
            return ElfKind.CORE;
        }
        if (type != ET_EXEC && type != ET_DYN) {
            return ElfKind.OTHER;
        }
        if (f.isSeparateDebugFile()) {
            return ElfKind.DEBUG_FILE;
        }
        boolean hasInterp = f.interpreter().isPresent();
        if (type == ET_EXEC) {
            return hasInterp ? ElfKind.DYNAMIC_EXECUTABLE : ElfKind.STATIC_EXECUTABLE;
        }
        boolean pieFlag = (f.flags1().orElse(0) & DF_1_PIE) != 0;
        Optional<ByteString> soname = f.soname();
        if (hasInterp) {
            // glibc's libc.so.6 has PT_INTERP (it runs and prints its version) yet is a library:
            // a program either says DF_1_PIE or, from older linkers, has no soname.
            return pieFlag || soname.isEmpty() ? ElfKind.PIE_EXECUTABLE : ElfKind.SHARED_LIBRARY;
        }
        if (isLoader(f, soname)) {
            return ElfKind.LOADER;
        }
        if (pieFlag || f.dynamic().isEmpty()) {
            return ElfKind.STATIC_PIE;
        }
        return ElfKind.SHARED_LIBRARY;
    }

    /** An ET_DYN without PT_INTERP that is a dynamic loader: by its soname, or musl's by its file name. */
    private static boolean isLoader(ElfFile f, Optional<ByteString> soname) {
        if (soname.isPresent()) {
            return familyOfLoaderName(soname.get()) != LoaderFamily.UNKNOWN;
        }
        // musl's libc.so (also installed as ld-musl-<arch>.so.1) has no soname and needs nothing;
        // only its name and shape tell it apart from an ordinary self-contained library.
        ByteString base = basename(ByteString.utf8(f.name()));
        boolean loaderName = base.equals(MUSL_LIBC) || familyOfLoaderName(base) != LoaderFamily.UNKNOWN;
        return loaderName && f.needed().isEmpty() && f.header().entry() != 0 && f.dynamic().isPresent();
    }

    static LoaderFamily loaderFamily(ElfFile f, ElfKind kind) {
        switch (kind) {
            case STATIC_EXECUTABLE, STATIC_PIE, DEBUG_FILE, RELOCATABLE, CORE, OTHER -> {
                return LoaderFamily.NONE;
            }
            case LOADER -> {
                ByteString name = f.soname().orElse(basename(ByteString.utf8(f.name())));
                LoaderFamily family = familyOfLoaderName(name);
                return family != LoaderFamily.UNKNOWN ? family
                        : name.equals(MUSL_LIBC) ? LoaderFamily.MUSL : LoaderFamily.UNKNOWN;
            }
            default -> {
                if (f.interpreter().isPresent()) {
                    LoaderFamily family = familyOfLoaderName(basename(f.interpreter().get().path()));
                    if (family != LoaderFamily.UNKNOWN) {
                        return family;
                    }
                }
                LoaderFamily byNeeds = familyOfLibrary(f.soname(), f.needed());
                return byNeeds != LoaderFamily.UNKNOWN ? byNeeds : familyOfVersions(f.versionNeeds());
            }
        }
    }

    /** A library's family from the C library or loader it needs (or is). */
    private static LoaderFamily familyOfLibrary(Optional<ByteString> soname, List<ByteString> needed) {
        if (soname.isPresent() && soname.get().equals(GLIBC_LIBC)) {
            return LoaderFamily.GLIBC;
        }
        for (ByteString n : needed) {
            ByteString base = basename(n);
            if (base.equals(GLIBC_LIBC)) {
                return LoaderFamily.GLIBC;
            }
            if (base.equals(MUSL_LIBC)) {
                return LoaderFamily.MUSL;
            }
            LoaderFamily family = familyOfLoaderName(base);
            if (family != LoaderFamily.UNKNOWN) {
                return family;
            }
        }
        return LoaderFamily.UNKNOWN;
    }

    /** glibc's symbol versions are named {@code GLIBC_2.NN}; musl has none. */
    private static LoaderFamily familyOfVersions(List<VersionNeed> needs) {
        for (VersionNeed need : needs) {
            if (basename(need.fileName()).equals(GLIBC_LIBC)) {
                return LoaderFamily.GLIBC;
            }
            for (VersionNeedAux aux : need.aux()) {
                if (aux.name().startsWith(GLIBC_VERSION_PREFIX)) {
                    return LoaderFamily.GLIBC;
                }
            }
        }
        return LoaderFamily.UNKNOWN;
    }

    /**
     * The family of a loader file name or soname: glibc's are {@code ld-linux*.so.*} (x86-64, i386,
     * aarch64, arm, riscv), {@code ld64.so.*} (s390x, ppc64), {@code ld.so.1} (mips, ppc32, s390)
     * and the old {@code ld-2.NN.so}; musl's are {@code ld-musl-<arch>.so.1}.
     */
    static LoaderFamily familyOfLoaderName(ByteString basename) {
        String s = basename.utf8();
        if (s.startsWith("ld-musl-") && s.contains(".so")) {
            return LoaderFamily.MUSL;
        }
        if ((s.startsWith("ld-linux") && s.contains(".so")) || s.startsWith("ld64.so.") || s.equals("ld.so.1")
                || s.matches("ld-2\\.[0-9]+\\.so")) {
            return LoaderFamily.GLIBC;
        }
        return LoaderFamily.UNKNOWN;
    }

    static ByteString basename(ByteString path) {
        int slash = -1;
        for (int i = path.length() - 1; i >= 0; i--) {
            if (path.byteAt(i) == '/') {
                slash = i;
                break;
            }
        }
        return slash < 0 ? path : path.substring(slash + 1, path.length());
    }
}
