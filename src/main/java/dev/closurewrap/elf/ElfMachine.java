package dev.closurewrap.elf;

import java.util.Map;

/** Facts about e_machine values: the name readelf prints and the page size new segments must respect. */
public final class ElfMachine {
    private ElfMachine() {}

    // readelf's wording (binutils 2.40), so that inspect output and readelf can be compared.
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(ElfConstants.EM_NONE, "None"),
            Map.entry(ElfConstants.EM_SPARC, "Sparc"),
            Map.entry(ElfConstants.EM_386, "Intel 80386"),
            Map.entry(ElfConstants.EM_68K, "MC68000"),
            Map.entry(ElfConstants.EM_MIPS, "MIPS R3000"),
            Map.entry(10, "MIPS R4000 big-endian"),
            Map.entry(ElfConstants.EM_PARISC, "HPPA"),
            Map.entry(ElfConstants.EM_SPARC32PLUS, "Sparc v8+"),
            Map.entry(ElfConstants.EM_PPC, "PowerPC"),
            Map.entry(ElfConstants.EM_PPC64, "PowerPC64"),
            Map.entry(ElfConstants.EM_S390, "IBM S/390"),
            Map.entry(ElfConstants.EM_ARM, "ARM"),
            Map.entry(ElfConstants.EM_SH, "Renesas / SuperH SH"),
            Map.entry(ElfConstants.EM_SPARCV9, "Sparc v9"),
            Map.entry(ElfConstants.EM_IA_64, "Intel IA-64"),
            Map.entry(ElfConstants.EM_X86_64, "Advanced Micro Devices X86-64"),
            Map.entry(92, "OpenRISC 1000"),
            Map.entry(93, "ARCompact"),
            Map.entry(164, "QUALCOMM DSP6 Processor"),
            Map.entry(ElfConstants.EM_AARCH64, "AArch64"),
            Map.entry(195, "ARCv2"),
            Map.entry(ElfConstants.EM_RISCV, "RISC-V"),
            Map.entry(ElfConstants.EM_BPF, "Linux BPF"),
            Map.entry(ElfConstants.EM_LOONGARCH, "LoongArch"),
            Map.entry(0x9026, "Alpha"));

    /** readelf's name for {@code machine}, or {@code <unknown>: 0x3e8} as readelf prints it. */
    public static String name(int machine) {
        String name = NAMES.get(machine);
        return name != null ? name : "<unknown>: 0x" + Integer.toHexString(machine);
    }

    /**
     * The largest page size the machine's kernels use: a new PT_LOAD's file offset and address must
     * be congruent modulo this (facts.md: 64 KiB for aarch64, ppc64, mips, loongarch; 8 KiB for
     * sparc; 4 KiB otherwise).
     */
    public static int pageSize(int machine) {
        return switch (machine) {
            case ElfConstants.EM_AARCH64, ElfConstants.EM_PPC64, ElfConstants.EM_MIPS, 10,
                    ElfConstants.EM_LOONGARCH -> 64 * 1024;
            case ElfConstants.EM_SPARC, ElfConstants.EM_SPARC32PLUS, ElfConstants.EM_SPARCV9 -> 8 * 1024;
            default -> 4 * 1024;
        };
    }
}
