package dev.closurewrap.store;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.UnsupportedInputException;
import dev.closurewrap.nar.NarCompression;
import dev.closurewrap.nar.NarDigest;
import dev.closurewrap.nar.NarReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A local binary cache read from its directory: {@code nix-cache-info}, {@code <hash part>.narinfo}
 * and the NAR files they point to (normally {@code nar/<file hash>.nar.<ext>}). Every NAR read is
 * checked against the FileHash, FileSize, NarHash and NarSize its narinfo claims.
 */
public final class BinaryCache {
    static final String FORMAT = "binary cache";

    private final Path dir;
    private final StoreDir storeDir;

    private BinaryCache(Path dir, StoreDir storeDir) {
        this.dir = dir;
        this.storeDir = storeDir;
    }

    /** Opens the cache in {@code dir}; its {@code nix-cache-info} must exist. */
    public static BinaryCache open(Path dir) throws IOException {
        Path info = dir.resolve("nix-cache-info");
        byte[] text = readSmall(info, 64 * 1024);
        StoreDir storeDir = StoreDir.DEFAULT;
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("StoreDir: ")) {
                try {
                    storeDir = new StoreDir(line.substring("StoreDir: ".length()).strip());
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("nix-cache-info", info.toString(), BadInputException.NO_OFFSET, e.getMessage());
                }
            }
        }
        return new BinaryCache(dir, storeDir);
    }

    public Path dir() {
        return dir;
    }

    public StoreDir storeDir() {
        return storeDir;
    }

    /** The narinfo for {@code hashPart}, if the cache has one. */
    public Optional<NarInfo> narInfo(String hashPart) throws IOException {
        if (hashPart.length() != StorePath.HASH_PART_LENGTH || !hashPart.chars().allMatch(c -> Nix32.isDigit((char) c))) {
            throw new IllegalArgumentException("\"" + hashPart + "\" is not a hash part");
        }
        Path file = dir.resolve(hashPart + ".narinfo");
        byte[] text;
        try {
            text = readSmall(file, NarInfo.MAX_SIZE);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        NarInfo info = NarInfo.parse(text, file.toString(), storeDir);
        if (!info.storePath().hashPart().equals(hashPart)) {
            throw new BadInputException(NarInfo.FORMAT, file.toString(), BadInputException.NO_OFFSET,
                    "describes " + info.storePath() + ", not a path with hash part " + hashPart);
        }
        return Optional.of(info);
    }

    /** The narinfo of {@code path}; bad input if the cache lacks it. */
    public NarInfo narInfo(StorePath path) throws IOException {
        NarInfo info = narInfo(path.hashPart()).orElseThrow(() -> new BadInputException(FORMAT, dir.toString(),
                BadInputException.NO_OFFSET, "has no narinfo for " + storeDir.print(path)));
        if (!info.storePath().equals(path)) {
            throw new BadInputException(NarInfo.FORMAT, dir.resolve(path.hashPart() + ".narinfo").toString(),
                    BadInputException.NO_OFFSET, "describes " + info.storePath() + ", not " + path);
        }
        return info;
    }

    /** Every path the cache describes, sorted. */
    public List<StorePath> paths() throws IOException {
        List<StorePath> paths = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.narinfo")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                narInfo(name.substring(0, name.length() - ".narinfo".length())).ifPresent(i -> paths.add(i.storePath()));
            }
        } catch (IllegalArgumentException e) {
            // a stray *.narinfo file whose name is no hash part: not a path of this cache
        }
        paths.sort(null);
        return paths;
    }

    /**
     * The closure of {@code roots} through References, references before the paths that refer to
     * them (the order {@code nix-store --import} needs). Bad input if a path is missing.
     */
    public List<NarInfo> closure(Collection<StorePath> roots) throws IOException {
        Map<StorePath, NarInfo> infos = new HashMap<>();
        Deque<StorePath> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            StorePath p = todo.pop();
            if (!infos.containsKey(p)) {
                NarInfo info = narInfo(p);
                infos.put(p, info);
                todo.addAll(info.references());
            }
        }
        List<NarInfo> ordered = new ArrayList<>();
        Set<StorePath> placed = new HashSet<>();
        for (StorePath root : new java.util.TreeSet<>(infos.keySet())) {
            place(root, infos, placed, new HashSet<>(), ordered);
        }
        return ordered;
    }

    private static void place(StorePath p, Map<StorePath, NarInfo> infos, Set<StorePath> placed, Set<StorePath> onStack,
            List<NarInfo> ordered) throws BadInputException {
        if (placed.contains(p)) {
            return;
        }
        if (!onStack.add(p)) {
            throw new BadInputException(FORMAT, p.toString(), BadInputException.NO_OFFSET, "reference cycle through " + p);
        }
        NarInfo info = infos.get(p);
        for (StorePath ref : info.references()) {
            if (!ref.equals(p)) {
                place(ref, infos, placed, onStack, ordered);
            }
        }
        onStack.remove(p);
        placed.add(p);
        ordered.add(info);
    }

    /**
     * Streams the NAR of {@code info} to {@code consumer} (which may read any part of it), then
     * checks the whole file and archive against the narinfo. Returns the archive's digest.
     */
    public NarDigest readNar(NarInfo info, ExportReader.NarConsumer consumer) throws IOException {
        Path file = dir.resolve(info.url());
        String name = file.toString();
        NarCompression declared = NarCompression.byNixName(info.compression())
                .orElseThrow(() -> new UnsupportedInputException(name, "compression \"" + info.compression() + "\""));
        HashAlgorithm fileAlgorithm = info.fileHash().map(Hash::algorithm).orElse(HashAlgorithm.SHA256);
        try (InputStream raw = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
             HashingInputStream hashed = new HashingInputStream(raw, fileAlgorithm.newDigest())) {
            InputStream in = NarCompression.decompressing(hashed, name);
            // Not closed here: the file is still to be read to its end for FileHash.
            NarReader nar = NarReader.standalone(in, name);
            if (consumer != null) {
                consumer.accept(nar);
            }
            NarDigest digest = nar.drain();
            hashed.drain();
            NarCompression actual = hashed.detected;
            if (actual != declared && declared != NarCompression.NONE) {
                throw new BadInputException(FORMAT, name, 0, "narinfo says " + declared.nixName() + ", file is " + actual.nixName());
            }
            if (info.fileSize().isPresent() && info.fileSize().getAsLong() != hashed.count) {
                throw new BadInputException(FORMAT, name, BadInputException.NO_OFFSET,
                        "FileSize is " + info.fileSize().getAsLong() + ", file has " + hashed.count + " bytes");
            }
            Hash fileHash = Hash.of(fileAlgorithm, hashed.digest.digest());
            if (info.fileHash().isPresent() && !info.fileHash().get().equals(fileHash)) {
                throw new BadInputException(FORMAT, name, BadInputException.NO_OFFSET,
                        "FileHash is " + info.fileHash().get() + ", file hashes to " + fileHash);
            }
            if (digest.size() != info.narSize() || !Hash.of(digest).equals(info.narHash())) {
                throw new BadInputException(FORMAT, name, BadInputException.NO_OFFSET, "NarHash/NarSize are "
                        + info.narHash() + "/" + info.narSize() + ", the archive has " + Hash.of(digest) + "/" + digest.size());
            }
            return digest;
        }
    }

    private static byte[] readSmall(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new BadInputException(FORMAT, file.toString(), max, "file larger than " + max + " bytes");
            }
            return b;
        }
    }

    /** Counts and hashes the compressed bytes; remembers the magic of the first ones. */
    private static final class HashingInputStream extends FilterInputStream {
        final MessageDigest digest;
        long count;
        NarCompression detected = NarCompression.NONE;
        private final byte[] head = new byte[8];

        HashingInputStream(InputStream in, MessageDigest digest) {
            super(in);
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                if (count < head.length) {
                    int k = (int) Math.min(n, head.length - count);
                    System.arraycopy(b, off, head, (int) count, k);
                    if (count + k >= 6 || count == 0) {
                        detected = NarCompression.detect(head, (int) (count + k));
                    }
                }
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** Reads what the decompressor left (a well-formed file has nothing after its last frame). */
        void drain() throws IOException {
            byte[] buf = new byte[65536];
            while (read(buf, 0, buf.length) >= 0) {
                // hashed and counted
            }
        }
    }
}
