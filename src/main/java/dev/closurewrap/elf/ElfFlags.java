package dev.closurewrap.elf;

import java.util.ArrayList;
import java.util.List;

/** Names of the DT_FLAGS and DT_FLAGS_1 bits, as readelf prints them. */
public final class ElfFlags {
    private ElfFlags() {}

    private static final String[] FLAGS = {"ORIGIN", "SYMBOLIC", "TEXTREL", "BIND_NOW", "STATIC_TLS"};

    private static final String[] FLAGS_1 = {"NOW", "GLOBAL", "GROUP", "NODELETE", "LOADFLTR", "INITFIRST",
        "NOOPEN", "ORIGIN", "DIRECT", "TRANS", "INTERPOSE", "NODEFLIB", "NODUMP", "CONFALT", "ENDFILTEE",
        "DISPRELDNE", "DISPRELPND", "NODIRECT", "IGNMULDEF", "NOKSYMS", "NOHDR", "EDITED", "NORELOC",
        "SYMINTPOSE", "GLOBAUDIT", "SINGLETON", "STUB", "PIE", "KMOD", "WEAKFILTER", "NOCOMMON"};

    /** The names of the set DT_FLAGS bits; unknown bits as {@code 0x...}. */
    public static List<String> flagNames(long flags) {
        return names(flags, FLAGS);
    }

    /** The names of the set DT_FLAGS_1 bits; unknown bits as {@code 0x...}. */
    public static List<String> flags1Names(long flags1) {
        return names(flags1, FLAGS_1);
    }

    private static List<String> names(long value, String[] names) {
        List<String> result = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            long mask = 1L << bit;
            if ((value & mask) != 0) {
                result.add(bit < names.length ? names[bit] : "0x" + Long.toHexString(mask));
            }
        }
        return result;
    }
}
