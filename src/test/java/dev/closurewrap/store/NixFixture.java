package dev.closurewrap.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the Nix integration tests need in the real store, made idempotently: host directories added
 * with {@code nix-store --add} (symlinks, executables, an empty directory, a non-UTF-8 name, a
 * 6 MB file), facts.md's test vector {@code d}, and a small built closure
 * ({@code cwtest-app -> cwtest-lib -> d}, with derivers and a self-reference) from a derivation
 * whose builder is the host's /bin/sh. Needs a single-user Nix as root with {@code sandbox = false}.
 * Once merged with the shared test closure ({@code dev.closurewrap.TestClosure}), the built closure
 * here can be pointed at it.
 */
final class NixFixture {
    static final Path WORK = Path.of(System.getProperty("java.io.tmpdir"), "closure-wrap-nix-it");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Map<String, Path> added;
    private static String app;

    private NixFixture() {}

    /** Host trees added with nix-store --add: name → the tree that was added. */
    static synchronized Map<String, Path> addedTrees() throws IOException {
        if (added == null) {
            added = new HashMap<>();
            Path host = WORK.resolve("host");
            if (!Files.exists(host.resolve(".complete"))) {
                deleteRecursively(host);
                Files.createDirectories(host);
                makeHostTrees(host);
                Files.writeString(host.resolve(".complete"), "");
            }
            try (var s = Files.list(host)) {
                for (Path tree : s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                    added.put(tree.getFileName().toString(), tree);
                }
            }
        }
        return added;
    }

    private static void makeHostTrees(Path host) throws IOException {
        run("cp", "-a", "/usr/share/doc/bash", host.resolve("doc-bash").toString());
        run("cp", "-a", "/usr/share/doc/coreutils", host.resolve("doc-coreutils").toString());
        Path bin = Files.createDirectories(host.resolve("bin-tools"));
        for (String tool : List.of("ls", "cat", "env")) {
            run("cp", "-a", "/usr/bin/" + tool, bin.resolve(tool).toString());
        }
        Files.createSymbolicLink(bin.resolve("list"), Path.of("ls"));
        Files.createSymbolicLink(bin.resolve("abs-link"), Path.of("/usr/bin/env"));
        Path odd = Files.createDirectories(host.resolve("odd-names"));
        Files.createDirectories(odd.resolve("empty-dir"));
        Files.writeString(odd.resolve("empty-file"), "");
        Files.writeString(odd.resolve("ünïcödé"), "utf-8 name\n");
        Files.write(Path.of(java.net.URI.create(odd.toUri() + "latin1-%E9t%E9")), "not utf-8\n".getBytes(StandardCharsets.UTF_8));
        Files.writeString(odd.resolve("script"), "#!/bin/sh\necho odd\n");
        Files.setPosixFilePermissions(odd.resolve("script"), PosixFilePermissions.fromString("rwxr-x---"));
        byte[] big = new byte[6 * 1024 * 1024 + 3];
        new Random(1).nextBytes(big);
        Files.write(odd.resolve("big.bin"), big);
        Path d = Files.createDirectories(host.resolve("d").resolve("sub"));
        d = d.getParent();
        Files.writeString(d.resolve("a.txt"), "hello\n");
        Files.writeString(d.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(d.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(d.resolve("link"), Path.of("a.txt"));
        Files.writeString(d.resolve("sub/B"), "x");
        Files.writeString(d.resolve("sub/empty"), "");
    }

    /** The store path nix-store --add gives the tree. */
    static String add(Path tree) throws IOException {
        return runText("nix-store", "--add", tree.toString()).strip();
    }

    /** The built closure's top path: cwtest-app → cwtest-lib → d (the test vector). */
    static synchronized String builtApp() throws IOException {
        if (app == null) {
            String d = add(addedTrees().get("d"));
            Path expr = WORK.resolve("closure.nix");
            Files.writeString(expr, """
                    let d = builtins.storePath %s;
                        sh = cmd: "export PATH=/usr/bin:/bin; " + cmd;
                        lib = derivation { name = "cwtest-lib"; system = builtins.currentSystem; builder = "/bin/sh";
                          args = [ "-c" (sh "mkdir -p $out/lib; echo ${d} > $out/lib/ref; cp /usr/bin/true $out/lib/true") ]; };
                    in derivation { name = "cwtest-app"; system = builtins.currentSystem; builder = "/bin/sh";
                          args = [ "-c" (sh "mkdir -p $out/bin; ln -s ${lib}/lib $out/lib; printf '#!/bin/sh\\necho %%s\\n' $out > $out/bin/app; chmod +x $out/bin/app") ]; }
                    """.formatted(d));
            app = runText("nix-build", "--no-out-link", expr.toString()).strip();
        }
        return app;
    }

    /** Every valid path of the store with its NarHash and NarSize, as Nix records them. */
    static Map<String, JsonNode> pathInfoAll() throws IOException {
        Map<String, JsonNode> infos = new HashMap<>();
        for (JsonNode n : JSON.readTree(runText("nix", "--extra-experimental-features", "nix-command", "path-info", "--json", "--all"))) {
            infos.put(n.get("path").asText(), n);
        }
        return infos;
    }

    static JsonNode pathInfo(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nix", "--extra-experimental-features", "nix-command", "path-info", "--json"));
        cmd.addAll(List.of(args));
        return JSON.readTree(runText(cmd.toArray(String[]::new)));
    }

    static String runText(String... cmd) throws IOException {
        return new String(run(cmd), StandardCharsets.UTF_8);
    }

    /** Runs a command; its stdout, or an IOException with its stderr if it fails. */
    static byte[] run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        byte[][] err = new byte[1][];
        Thread t = new Thread(() -> {
            try {
                err[0] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            t.join();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + new String(err[0], StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    /** Starts a command whose stdout the caller streams; stderr goes to the test's stderr. */
    static Process start(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        return p;
    }

    static void waitOk(Process p, String what) throws IOException {
        try {
            if (p.waitFor() != 0) {
                throw new IOException(what + " exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Reads {@code in} to its end. */
    static long drain(InputStream in) throws IOException {
        return in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    static void deleteRecursively(Path p) throws IOException {
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            run("chmod", "-R", "u+w", p.toString());
            run("rm", "-rf", p.toString());
        }
    }
}
