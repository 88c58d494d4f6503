package dev.closurewrap.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Why a program would run with AT_SECURE (facts.md: then any $ORIGIN in DT_NEEDED is fatal and
 * $ORIGIN search-path entries are dropped), and so cannot be served by relative mode: its own
 * setuid/setgid bits or file capabilities, or its name being one NixOS starts through
 * {@code security.wrappers} (setuid or capability wrappers in {@code /run/wrappers/bin}).
 */
final class SecureExec {
    /**
     * Programs NixOS modules install as {@code security.wrappers} (setuid or with capabilities):
     * the nixpkgs modules for shadow, sudo, doas, util-linux (mount), fuse, iputils, polkit, dbus,
     * pam, cron, at, mtr, wireshark, firejail, bubblewrap-less sandboxes, X11 and kernel tools.
     */
    static final Set<String> NIXOS_WRAPPED = Set.of(
            "su", "sudo", "sudoedit", "doas", "passwd", "chsh", "chfn", "newgrp", "sg", "gpasswd",
            "newuidmap", "newgidmap", "mount", "umount", "fusermount", "fusermount3", "ping", "ping6",
            "arping", "traceroute", "unix_chkpwd", "pkexec", "polkit-agent-helper-1",
            "dbus-daemon-launch-helper", "crontab", "at", "atq", "atrm", "batch", "mtr-packet", "dumpcap",
            "firejail", "Xorg.wrap", "kcheckpass", "ksu", "start_kdeinit", "sendmail", "postdrop",
            "postqueue", "exim", "slock", "physlock", "beep", "usernetctl", "gamemoded", "cdrecord",
            "wodim", "mount.cifs", "mount.nfs", "umount.nfs", "ecryptfs", "mount.ecryptfs_private",
            "udisksctl", "ssh-keysign", "singularity", "apptainer");

    private static final long GETCAP_TIMEOUT_SECONDS = 120;

    private SecureExec() {}

    /** The reasons {@code file} would run privileged; {@code name} is the name it is run by. */
    static List<String> reasons(Path file, String name, Map<Path, String> capabilities) throws IOException {
        List<String> reasons = new java.util.ArrayList<>();
        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 04000) != 0) {
            reasons.add("setuid");
        }
        if ((mode & 02000) != 0) {
            reasons.add("setgid");
        }
        String caps = capabilities.get(file);
        if (caps != null) {
            reasons.add("file capabilities " + caps);
        }
        if (NIXOS_WRAPPED.contains(name)) {
            reasons.add("NixOS runs " + name + " through a security wrapper");
        }
        return reasons;
    }

    /**
     * Every file below {@code root} with file capabilities, from {@code getcap -r} (libcap2-bin);
     * empty when getcap is not installed, which the caller notes.
     */
    static Optional<Map<Path, String>> capabilities(Path root) throws IOException {
        Optional<Path> getcap = find("getcap");
        if (getcap.isEmpty()) {
            return Optional.empty();
        }
        Process process = new ProcessBuilder(getcap.get().toString(), "-r", root.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(GETCAP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("getcap -r " + root + " did not finish in " + GETCAP_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running getcap", e);
        }
        Map<Path, String> result = new HashMap<>();
        // "<path> cap_net_raw=ep" (libcap 2.44+) or "<path> = cap_net_raw+ep" (older).
        for (String line : new String(output, StandardCharsets.UTF_8).split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            String path = line.substring(0, space);
            String caps = line.substring(space + 1);
            if (path.endsWith(" =")) {
                path = path.substring(0, path.length() - 2);
            }
            if (path.startsWith("/")) {
                result.put(Path.of(path), caps);
            }
        }
        return Optional.of(result);
    }

    private static Optional<Path> find(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, tool);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
