package dev.closurewrap.store;

import dev.closurewrap.io.BadInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A binary cache's description of one store path ({@code <hash part>.narinfo}): where its NAR is,
 * how it is compressed, the hashes and sizes of the file and of the NAR, references, deriver,
 * signatures and content address. {@link #parse} reads what Nix writes and rejects anything that
 * would point outside the cache or does not describe a valid path.
 */
public record NarInfo(StorePath storePath, String url, String compression, Optional<Hash> fileHash,
        OptionalLong fileSize, Hash narHash, long narSize, SortedSet<StorePath> references,
        Optional<StorePath> deriver, Optional<String> system, List<String> sigs, Optional<String> ca) {
    static final String FORMAT = "narinfo";
    /** narinfo files are small; a bigger one is not read. */
    static final int MAX_SIZE = 1 << 20;

    public NarInfo {
        references = Collections.unmodifiableSortedSet(new TreeSet<>(references));
        sigs = List.copyOf(sigs);
        String problem = urlProblem(url);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (compression.isEmpty() || compression.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("bad compression \"" + compression + "\"");
        }
        if (narHash.algorithm() != HashAlgorithm.SHA256) {
            throw new IllegalArgumentException("NarHash must be SHA-256");
        }
        if (narSize <= 0) {
            throw new IllegalArgumentException("NarSize must be positive, not " + narSize);
        }
        if (fileSize.isPresent() && fileSize.getAsLong() < 0) {
            throw new IllegalArgumentException("negative FileSize");
        }
        for (String sig : sigs) {
            if (sig.indexOf(':') <= 0 || sig.contains("\n")) {
                throw new IllegalArgumentException("bad signature \"" + sig + "\"");
            }
        }
    }

    /** Parses narinfo text; {@code file} names it in errors. */
    public static NarInfo parse(byte[] text, String file, StoreDir storeDir) throws BadInputException {
        String s = new String(text, StandardCharsets.UTF_8);
        StorePath storePath = null;
        String url = null;
        String compression = null;
        Hash fileHash = null;
        Long fileSize = null;
        Hash narHash = null;
        Long narSize = null;
        TreeSet<StorePath> references = new TreeSet<>();
        StorePath deriver = null;
        String system = null;
        List<String> sigs = new ArrayList<>();
        String ca = null;
        int pos = 0;
        while (pos < s.length()) {
            int eol = s.indexOf('\n', pos);
            if (eol < 0) {
                eol = s.length();
            }
            String line = s.substring(pos, eol);
            long offset = s.substring(0, pos).getBytes(StandardCharsets.UTF_8).length;
            pos = eol + 1;
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new BadInputException(FORMAT, file, offset, "line is not \"Key: value\": \"" + line + "\"");
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 2);
            try {
                switch (key) {
                    case "StorePath" -> storePath = storeDir.parse(value);
                    case "URL" -> url = value;
                    case "Compression" -> compression = value;
                    case "FileHash" -> fileHash = Hash.parse(value);
                    case "FileSize" -> fileSize = parseSize(value);
                    case "NarHash" -> narHash = Hash.parse(value);
                    case "NarSize" -> narSize = parseSize(value);
                    case "References" -> {
                        for (String ref : value.split(" ")) {
                            if (!ref.isEmpty()) {
                                references.add(StorePath.parseBaseName(ref));
                            }
                        }
                    }
                    case "Deriver" -> deriver = value.equals("unknown-deriver") ? null : StorePath.parseBaseName(value);
                    case "System" -> system = value;
                    case "Sig" -> sigs.add(value);
                    case "CA" -> ca = value;
                    default -> {
                        // Nix ignores fields it does not know; so do we.
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new BadInputException(FORMAT, file, offset, key + ": " + e.getMessage());
            }
        }
        String missing = storePath == null ? "StorePath" : url == null ? "URL" : narHash == null ? "NarHash"
                : narSize == null ? "NarSize" : null;
        if (missing != null) {
            throw new BadInputException(FORMAT, file, BadInputException.NO_OFFSET, "no " + missing + " field");
        }
        try {
            return new NarInfo(storePath, url, compression == null ? "bzip2" : compression, Optional.ofNullable(fileHash),
                    fileSize == null ? OptionalLong.empty() : OptionalLong.of(fileSize), narHash, narSize, references,
                    Optional.ofNullable(deriver), Optional.ofNullable(system), sigs, Optional.ofNullable(ca));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(FORMAT, file, BadInputException.NO_OFFSET, e.getMessage());
        }
    }

    /** The text Nix writes, fields in Nix's order. */
    public String render(StoreDir storeDir) {
        StringBuilder sb = new StringBuilder();
        sb.append("StorePath: ").append(storeDir.print(storePath)).append('\n');
        sb.append("URL: ").append(url).append('\n');
        sb.append("Compression: ").append(compression).append('\n');
        fileHash.ifPresent(h -> sb.append("FileHash: ").append(h).append('\n'));
        fileSize.ifPresent(n -> sb.append("FileSize: ").append(n).append('\n'));
        sb.append("NarHash: ").append(narHash).append('\n');
        sb.append("NarSize: ").append(narSize).append('\n');
        sb.append("References: ").append(String.join(" ", references.stream().map(StorePath::baseName).toList())).append('\n');
        deriver.ifPresent(d -> sb.append("Deriver: ").append(d.baseName()).append('\n'));
        system.ifPresent(s -> sb.append("System: ").append(s).append('\n'));
        for (String sig : sigs) {
            sb.append("Sig: ").append(sig).append('\n');
        }
        ca.ifPresent(c -> sb.append("CA: ").append(c).append('\n'));
        return sb.toString();
    }

    /** What a signature signs: {@code 1;<path>;<NarHash>;<NarSize>;<comma-joined reference paths>}. */
    public String fingerprint(StoreDir storeDir) {
        return "1;" + storeDir.print(storePath) + ";" + narHash + ";" + narSize + ";"
                + String.join(",", references.stream().map(storeDir::print).toList());
    }

    /** The same info with other signatures. */
    public NarInfo withSigs(List<String> newSigs) {
        return new NarInfo(storePath, url, compression, fileHash, fileSize, narHash, narSize, references, deriver,
                system, newSigs, ca);
    }

    /** Why a URL cannot name a file inside the cache, or null: it must be relative and stay below the cache. */
    static String urlProblem(String url) {
        if (url == null || url.isEmpty()) {
            return "empty URL";
        }
        if (url.startsWith("/") || url.contains(":") || url.contains("\\") || url.indexOf('\0') >= 0) {
            return "URL \"" + url + "\" is not a relative path inside the cache";
        }
        for (String part : url.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return "URL \"" + url + "\" is not a plain relative path inside the cache";
            }
        }
        return null;
    }

    private static long parseSize(String value) {
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + value + "\" is not a size");
        }
    }
}
