package dev.closurewrap.rewrite;

import dev.closurewrap.TestClosure;
import dev.closurewrap.elf.LoaderFamily;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A relative bundle of the test closure made with this package's pieces only, for integration
 * tests: the closure copied to {@code DIR/store}, symlinks made relative, store-shebang scripts
 * given preludes, every dynamically linked executable given an exec shim, launchers in
 * {@code DIR/bin}. The ELF files themselves are not edited (that is the editor's job), so shims and
 * launchers pass {@code --library-path} with every {@code lib} directory of the bundle: a legitimate
 * launcher strategy on its own, since both loaders search it before RUNPATH.
 */
final class TestBundle {
    final Path root;
    final Map<String, Path> launchers = new LinkedHashMap<>();
    final Map<Path, Path> shims = new LinkedHashMap<>(); // shim -> real file
    final List<Path> scripts = new ArrayList<>();

    private TestBundle(Path root) {
        this.root = root;
    }

    /** A writable copy of every store path of the test closure, in {@code store}. */
    static void copyTestClosure(Path store) throws IOException {
        Files.createDirectories(store);
        List<String> copy = new ArrayList<>(List.of("cp", "-a"));
        TestClosure.closure().forEach(path -> copy.add(path.toString()));
        copy.add(store.toString());
        TestClosure.run(copy);
        TestClosure.run(List.of("chmod", "-R", "u+w", store.toString()));
    }

    static TestBundle build(Path root) throws IOException {
        TestBundle bundle = new TestBundle(root);
        Path storeDir = TestClosure.storeDir();
        Path store = root.resolve("store");
        copyTestClosure(store);

        ByteString oldStore = ByteString.utf8(storeDir.toString());
        Set<ByteString> bundled = new HashSet<>();
        TestClosure.closure().forEach(path -> bundled.add(ByteString.utf8(path.getFileName().toString())));
        ScriptRewriter scripts = new ScriptRewriter(oldStore, bundled);
        List<ByteString> libraryPath = new ArrayList<>();
        for (Path path : TestClosure.closure()) {
            if (Files.isDirectory(store.resolve(path.getFileName()).resolve("lib"))) {
                libraryPath.add(ByteString.utf8(path.getFileName() + "/lib"));
            }
        }

        List<Path> programs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(store)) {
            for (Path file : files.toList()) {
                ByteString inStore = ByteString.utf8(store.relativize(file).toString());
                if (Files.isSymbolicLink(file)) {
                    ByteString target = ByteString.utf8(Files.readSymbolicLink(file).toString());
                    Optional<ByteString> relative = Symlinks.relativeTarget(oldStore, inStore, target);
                    boolean bundledTarget = Symlinks.targetStorePath(oldStore, target).filter(bundled::contains).isPresent();
                    if (relative.isPresent() && bundledTarget) {
                        Files.delete(file);
                        Files.createSymbolicLink(file, Path.of(relative.get().utf8()));
                    }
                } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(file)) {
                    byte[] content = Files.readAllBytes(file);
                    // libc.so.6 has a PT_INTERP too, but outside the store: a library, not a program to shim.
                    if (interpreter(content).filter(i -> i.startsWith(oldStore)).isPresent()) {
                        programs.add(file);
                    } else {
                        Optional<ScriptRewriter.Result> script = scripts.relocate(inStore, content);
                        if (script.isPresent()) {
                            Files.write(file, script.get().content());
                            bundle.scripts.add(file);
                        }
                    }
                }
            }
        }
        for (Path program : programs) {
            ByteString interp = interpreter(Files.readAllBytes(program)).get();
            ByteString loaderInStore = ByteString.utf8(storeDir.relativize(Path.of(interp.utf8())).toString());
            BundledLoader loader = new BundledLoader(loaderInStore,
                    interp.utf8().contains("ld-musl") ? LoaderFamily.MUSL : LoaderFamily.GLIBC);
            Set<ByteString> siblings = new HashSet<>();
            try (Stream<Path> list = Files.list(program.getParent())) {
                list.forEach(p -> siblings.add(ByteString.utf8(p.getFileName().toString())));
            }
            ByteString realName = BundleScripts.realFileName(ByteString.utf8(program.getFileName().toString()), siblings);
            Path real = program.resolveSibling(realName.utf8());
            Files.move(program, real);
            ByteString shimInStore = ByteString.utf8(store.relativize(program).toString());
            ByteString realInStore = ByteString.utf8(store.relativize(real).toString());
            Files.write(program, BundleScripts.execShim(new ExecShimPlan(shimInStore, realInStore, loader, libraryPath)));
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("r-xr-xr-x"));
            bundle.shims.put(program, real);
        }

        Path bin = root.resolve("bin");
        Files.createDirectories(bin);
        for (Path rootPath : TestClosure.roots()) {
            try (Stream<Path> entries = Files.list(rootPath.resolve("bin"))) {
                for (Path entry : entries.sorted().toList()) {
                    String name = entry.getFileName().toString();
                    if (name.startsWith(".")) {
                        continue; // wrapped programs are not the package's commands
                    }
                    ByteString argv0 = ByteString.utf8(storeDir.relativize(entry).toString());
                    Path realInOldStore = entry.toRealPath();
                    Path inBundle = store.resolve(storeDir.relativize(realInOldStore).toString());
                    LauncherPlan plan;
                    if (bundle.shims.containsKey(inBundle)) {
                        ByteString interp = interpreter(Files.readAllBytes(realInOldStore)).get();
                        BundledLoader loader = new BundledLoader(
                                ByteString.utf8(storeDir.relativize(Path.of(interp.utf8())).toString()),
                                interp.utf8().contains("ld-musl") ? LoaderFamily.MUSL : LoaderFamily.GLIBC);
                        ByteString program = ByteString.utf8(store.relativize(bundle.shims.get(inBundle)).toString());
                        plan = new LauncherPlan(ByteString.utf8(name), argv0, program, Optional.of(loader), libraryPath);
                    } else {
                        plan = new LauncherPlan(ByteString.utf8(name), argv0, argv0, Optional.empty(), List.of());
                    }
                    Path launcher = bin.resolve(name);
                    Files.write(launcher, BundleScripts.launcher(plan));
                    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("r-xr-xr-x"));
                    bundle.launchers.put(name, launcher);
                }
            }
        }
        return bundle;
    }

    /** PT_INTERP of a little-endian ELF64 file, the test's own minimal reader (not the project's). */
    static Optional<ByteString> interpreter(byte[] content) {
        if (content.length < 64 || content[0] != 0x7f || content[1] != 'E' || content[2] != 'L' || content[3] != 'F'
                || content[4] != 2 || content[5] != 1) {
            return Optional.empty();
        }
        ByteBuffer elf = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = elf.getLong(0x20);
        int phentsize = Short.toUnsignedInt(elf.getShort(0x36));
        int phnum = Short.toUnsignedInt(elf.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (elf.getInt(ph) == 3) { // PT_INTERP
                int offset = (int) elf.getLong(ph + 8);
                int size = (int) elf.getLong(ph + 0x20);
                int end = offset;
                while (end < offset + size && content[end] != 0) {
                    end++;
                }
                return Optional.of(ByteString.utf8(new String(content, offset, end - offset, StandardCharsets.UTF_8)));
            }
        }
        return Optional.empty();
    }
}
