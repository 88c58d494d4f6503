package dev.closurewrap.graph;

import dev.closurewrap.elf.ElfFile;
import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.FileIdentity;
import dev.closurewrap.io.KnownHashes;
import dev.closurewrap.io.ParallelIo;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.store.HashPartMatcher;
import dev.closurewrap.store.ReferenceFinder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classifies every file under a set of roots: ELF (parsed, loader facts kept), script (shebang),
 * other regular file, symlink, directory, each regular file with its sha256. Each file is read
 * once, through a per-thread 1 MiB buffer, files spread over {@code threads} workers; only
 * metadata is kept.
 *
 * <p>As a {@link ReferenceFinder} the same single read also finds store path hash parts, and the
 * files so classified are kept for the following {@link #scan} of the same store paths, so that a
 * closure found by scanning costs one read of each file, not two.
 */
public final class Scanner implements ReferenceFinder {
    private static final int BUFFER = 1 << 20;
    /** Linux reads at most this much of a {@code #!} line (BINPRM_BUF_SIZE). */
    private static final int SHEBANG_LIMIT = 256;
    private static final HexFormat HEX = HexFormat.of();

    /** One buffer and one digest per worker thread, reused for every file it reads. */
    private static final ThreadLocal<Worker> WORKER = ThreadLocal.withInitial(Worker::new);

    private final int threads;
    /** Hashes of files read before (a job's state directory): a file they vouch for is not read whole. */
    private final KnownHashes known;
    /** What {@link #find} classified, by store path, until {@link #scan} takes it. */
    private final Map<Path, List<ScannedFile>> found = new ConcurrentHashMap<>();

    public Scanner(int threads) {
        this(threads, KnownHashes.NONE);
    }

    public Scanner(int threads, KnownHashes known) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        this.threads = threads;
        this.known = known;
    }

    /**
     * Every file under each root (a directory, file or symlink), sorted by path. Roots that
     * {@link #find} has already read are not read again.
     */
    public List<ScannedFile> scan(List<Path> roots) throws IOException {
        List<ScannedFile> files = new ArrayList<>();
        List<Path> unread = new ArrayList<>();
        for (Path root : roots) {
            List<ScannedFile> known = found.remove(root);
            if (known != null) {
                files.addAll(known);
            } else {
                unread.add(root);
            }
        }
        for (Scanned s : scanAll(walk(unread), null)) {
            files.add(s.file);
        }
        files.sort(Comparator.comparing(ScannedFile::path));
        return files;
    }

    /**
     * The hash parts each store path's tree mentions, found the way {@link
     * dev.closurewrap.store.ReferenceScanner} finds them (every entry name but the root's, every
     * symlink target, every file's contents, each a separate stream); the files are classified on
     * the same read.
     */
    @Override
    public Map<Path, Set<String>> find(List<Path> storePaths, HashPartMatcher matcher) throws IOException {
        List<Entry> entries = walk(storePaths);
        List<Scanned> scanned = scanAll(entries, matcher);
        Map<Path, Set<String>> hits = new LinkedHashMap<>();
        Map<Path, List<ScannedFile>> files = new LinkedHashMap<>();
        for (Path root : storePaths) {
            hits.put(root, new HashSet<>());
            files.put(root, new ArrayList<>());
        }
        for (int i = 0; i < entries.size(); i++) {
            Path root = entries.get(i).root;
            hits.get(root).addAll(scanned.get(i).hits);
            files.get(root).add(scanned.get(i).file);
        }
        found.putAll(files);
        return hits;
    }

    /** Classifies one file. */
    public static ScannedFile scanOne(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return scanOne(new Entry(path, path, attrs), null, KnownHashes.NONE).file;
    }

    /** A file to classify: its path, the root it was found under and its attributes ({@code lstat}). */
    private record Entry(Path path, Path root, BasicFileAttributes attrs) {}

    private record Scanned(ScannedFile file, Set<String> hits) {}

    /** Every entry under each root, in walk order; one {@code lstat} each, links not followed. */
    private static List<Entry> walk(List<Path> roots) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Path root : roots) {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    entries.add(new Entry(dir, root, attrs));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    entries.add(new Entry(file, root, attrs));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    throw e;
                }
            });
        }
        return entries;
    }

    /** {@link #scanOne} over {@code entries} on the workers, results in the same order. */
    private List<Scanned> scanAll(List<Entry> entries, HashPartMatcher matcher) throws IOException {
        if (entries.isEmpty()) {
            return List.of();
        }
        // Largest first: a big library read last would leave the other threads idle at the end.
        return ParallelIo.map(threads, entries, entry -> entry.attrs.isRegularFile() ? entry.attrs.size() : 0,
                entry -> scanOne(entry, matcher == null ? null : matcher.scan(), known), "scanning");
    }

    /**
     * Classifies one entry, feeding its name, link target or contents to {@code refs} if given. A
     * file whose hash {@code known} vouches for is not read whole (unless {@code refs} needs it):
     * only its first bytes, and an ELF object's headers and dynamic section.
     */
    private static Scanned scanOne(Entry entry, HashPartMatcher.Scan refs, KnownHashes known) throws IOException {
        Path path = entry.path;
        BasicFileAttributes attrs = entry.attrs;
        if (refs != null && !path.equals(entry.root) && path.getFileName() != null) {
            feed(refs, path.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        }
        Set<String> none = Set.of();
        if (attrs.isSymbolicLink()) {
            String target = Files.readSymbolicLink(path).toString();
            if (refs != null) {
                feed(refs, target.getBytes(StandardCharsets.UTF_8));
            }
            return new Scanned(new ScannedFile.Symlink(path, ByteString.utf8(target)), refs == null ? none : refs.hits());
        }
        if (attrs.isDirectory()) {
            return new Scanned(new ScannedFile.Directory(path), refs == null ? none : refs.hits());
        }
        // Executable as Nix sees it (and the store's modes make it the same for everyone): owner may run it.
        PosixFileAttributes posix = attrs instanceof PosixFileAttributes p ? p
                : Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        boolean executable = posix.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
        long now = FileIdentity.nowNanos();
        // Taken before the content is read and compared after: a file replaced or changed
        // meanwhile is neither taken from nor put into the known hashes.
        FileIdentity before = known == KnownHashes.NONE ? null : FileIdentity.of(path);
        if (before != null && !keepsChangeTimes(path, before.device())) {
            before = null;
        }
        Optional<String> knownHash = before == null || refs != null ? Optional.empty() : known.sha256(path, before);
        Scanned scanned = readAndClassify(path, executable, refs, knownHash, before);
        if (before != null) {
            boolean unchanged = FileIdentity.of(path).equals(before);
            if (knownHash.isPresent() && !unchanged) {
                return scanOne(entry, refs, KnownHashes.NONE); // changed under us: read it whole
            }
            if (knownHash.isEmpty() && unchanged && before.settledAt(now)) {
                known.remember(path, before, ((ScannedFile.Content) scanned.file).sha256());
            }
        }
        return scanned;
    }

    /** File systems whose status-change times the kernel keeps: there an unchanged identity means unchanged content. */
    private static final Set<String> CTIME_FILE_SYSTEMS = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs",
            "zfs", "f2fs", "bcachefs", "overlay");
    private static final Map<Long, Boolean> KEEPS_CHANGE_TIMES = new ConcurrentHashMap<>();

    /**
     * Whether the file system holding {@code path} keeps real change times. An image (squashfs,
     * erofs, iso9660) reports the times it was built with, so another image mounted in its place
     * could show the same identity; network and FUSE file systems report what a server says.
     */
    private static boolean keepsChangeTimes(Path path, long device) throws IOException {
        Boolean known = KEEPS_CHANGE_TIMES.get(device);
        if (known == null) {
            known = CTIME_FILE_SYSTEMS.contains(Files.getFileStore(path).type());
            KEEPS_CHANGE_TIMES.put(device, known);
        }
        return known;
    }

    /**
     * Reads the file (only its first bytes and ELF headers when {@code knownHash} vouches for it),
     * and classifies it.
     */
    private static Scanned readAndClassify(Path path, boolean executable, HashPartMatcher.Scan refs,
                                           Optional<String> knownHash, FileIdentity before) throws IOException {
        Worker worker = WORKER.get();
        byte[] buffer = worker.buffer;
        MessageDigest sha256 = worker.sha256;
        sha256.reset();
        Set<String> none = Set.of();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            boolean vouched = knownHash.isPresent() && size == before.size();
            byte[] head = new byte[(int) Math.min(size, SHEBANG_LIMIT)];
            int headLength = 0;
            long done = 0;
            if (vouched) {
                headLength = readHead(channel, head);
                done = size;
            }
            // To the end of the file, without a last empty read once its size is reached.
            while (done < size || size == 0) {
                int n = channel.read(ByteBuffer.wrap(buffer), done);
                if (n <= 0) {
                    break;
                }
                if (headLength < head.length) {
                    int take = Math.min(n, head.length - headLength);
                    System.arraycopy(buffer, 0, head, headLength, take);
                    headLength += take;
                }
                sha256.update(buffer, 0, n);
                if (refs != null) {
                    refs.update(buffer, 0, n);
                }
                done += n;
            }
            if (headLength < head.length) {
                head = java.util.Arrays.copyOf(head, headLength);
            }
            if (refs != null) {
                refs.endOfStream();
            }
            String hash = vouched ? knownHash.get() : HEX.formatHex(sha256.digest());
            Set<String> hits = refs == null ? none : refs.hits();
            if (ElfFile.isElf(head)) {
                try {
                    ElfFile elf = ElfFile.read(path.toString(), channel, 0, size);
                    return new Scanned(new ScannedFile.ElfObject(path, size, hash, executable, LoadableObject.of(elf)), hits);
                } catch (BadInputException | UnsupportedInputException e) {
                    return new Scanned(new ScannedFile.BrokenElf(path, size, hash, e.getMessage()), hits);
                }
            }
            if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
                return new Scanned(shebang(path, size, hash, executable, head), hits);
            }
            return new Scanned(new ScannedFile.Regular(path, size, hash, executable), hits);
        }
    }

    /** Fills {@code head} from the start of the file, or as much as the file has; the count read. */
    private static int readHead(FileChannel channel, byte[] head) throws IOException {
        ByteBuffer into = ByteBuffer.wrap(head);
        while (into.hasRemaining()) {
            if (channel.read(into, into.position()) <= 0) {
                break;
            }
        }
        return into.position();
    }

    private static void feed(HashPartMatcher.Scan refs, byte[] bytes) {
        refs.update(bytes, 0, bytes.length);
        refs.endOfStream();
    }

    /** The kernel's reading of a {@code #!} line: interpreter up to blank, the rest one argument. */
    private static ScannedFile shebang(Path path, long size, String hash, boolean executable, byte[] head) {
        int end = 2;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        int i = 2;
        while (i < end && (head[i] == ' ' || head[i] == '\t')) {
            i++;
        }
        int interpEnd = i;
        while (interpEnd < end && head[interpEnd] != ' ' && head[interpEnd] != '\t') {
            interpEnd++;
        }
        int argStart = interpEnd;
        while (argStart < end && (head[argStart] == ' ' || head[argStart] == '\t')) {
            argStart++;
        }
        int argEnd = end;
        while (argEnd > argStart && (head[argEnd - 1] == ' ' || head[argEnd - 1] == '\t' || head[argEnd - 1] == '\r')) {
            argEnd--;
        }
        return new ScannedFile.Script(path, size, hash, executable, ByteString.of(head, i, interpEnd - i),
                ByteString.of(head, argStart, argEnd - argStart));
    }

    /** A worker's reusable read buffer and digest. */
    private static final class Worker {
        final byte[] buffer = new byte[BUFFER];
        final MessageDigest sha256;

        Worker() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java has SHA-256", e);
            }
        }
    }
}
