package dev.closurewrap.elf;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Judges an edited program by what it prints against everything the unedited one printed over a
 * few runs, not against one run: some programs are not deterministic (groff --version prints its
 * sub-programs' lines in either order), and one run of each would make such a test flaky.
 */
final class Behaviours {
    private static final int BASELINE_RUNS = 4;
    private static final int EDITED_RUNS = 3;

    /** One run of a program: what it printed and its exit status, or null if it hung. */
    @FunctionalInterface
    interface Run {
        String once() throws IOException;
    }

    private Behaviours() {}

    /** Every output of a few runs of the original, or null if one of them hung. */
    static Set<String> baseline(Run original) throws IOException {
        Set<String> seen = new HashSet<>();
        for (int run = 0; run < BASELINE_RUNS; run++) {
            String output = original.once();
            if (output == null) {
                return null;
            }
            seen.add(output);
        }
        return seen;
    }

    /** Whether the edited program gives one of the original's outputs, in one of a few runs. */
    static boolean matches(Run edited, Set<String> baseline) throws IOException {
        for (int run = 0; run < EDITED_RUNS; run++) {
            if (baseline.contains(edited.once())) {
                return true;
            }
        }
        return false;
    }
}
