package dev.closurewrap.plan;

import java.util.Locale;

/** The two rewrites (design README §4). */
public enum Mode {
    /** DT_NEEDED becomes {@code $ORIGIN/<path>}; programs start through launchers and exec shims. */
    RELATIVE,
    /** DT_NEEDED becomes the absolute path of the library under the prefix; nothing is searched. */
    ABSOLUTE;

    /** {@code relative} / {@code absolute}, as on the command line and in the manifest. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
