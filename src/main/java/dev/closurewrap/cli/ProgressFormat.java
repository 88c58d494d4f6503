package dev.closurewrap.cli;

import java.time.Duration;
import java.util.Locale;

/** How progress figures are written for people: {@code 1,234}, {@code 12.3 MiB}, {@code 4.5 MiB/s}, {@code 1:02:03}. */
final class ProgressFormat {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ProgressFormat() {}

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Binary units with one decimal, as {@code du -h} and {@code pv} print them. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    static String rate(double bytesPerSecond) {
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /** {@code m:ss} below an hour, {@code h:mm:ss} from there; rounded down to the second. */
    static String duration(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    /** Seconds with one decimal, for phase times: {@code 2.3s}. */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
