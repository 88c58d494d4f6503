package dev.closurewrap.store;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.TreeSet;

/**
 * A store directory such as {@code /nix/store}: prints and parses full store paths and computes
 * store paths the way Nix does. A path's hash part is the 20-byte XOR-fold of the SHA-256 of
 * {@code <type>:sha256:<hex>:<store dir>:<name>}.
 */
public record StoreDir(String path) {
    public static final StoreDir DEFAULT = new StoreDir("/nix/store");

    public StoreDir {
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("//")
                || path.contains("/./") || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            throw new IllegalArgumentException("store directory \"" + path + "\" is not a canonical absolute path");
        }
    }

    /** Parses {@code <dir>/<hash>-<name>}; a path below a store path is not one. */
    public StorePath parse(String fullPath) {
        if (!fullPath.startsWith(path + "/")) {
            throw new IllegalArgumentException("\"" + fullPath + "\" is not in the store " + path);
        }
        String base = fullPath.substring(path.length() + 1);
        if (base.indexOf('/') >= 0) {
            throw new IllegalArgumentException("\"" + fullPath + "\" is below a store path, not one");
        }
        return StorePath.parseBaseName(base);
    }

    public String print(StorePath p) {
        return path + "/" + p.baseName();
    }

    /** Nix's {@code makeStorePath}: the path for a fingerprint type, a hash and a name. */
    public StorePath makeStorePath(String type, Hash hash, String name) {
        String problem = StorePath.nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("bad store path name: " + problem);
        }
        String fingerprint = type + ":" + hash.algorithm().nixName() + ":" + hash.toBase16() + ":" + path + ":" + name;
        byte[] sha = HashAlgorithm.SHA256.newDigest().digest(fingerprint.getBytes(StandardCharsets.UTF_8));
        return new StorePath(Nix32.encode(xorFold(sha, 20)), name);
    }

    /**
     * The path of a recursively hashed (NAR) SHA-256 source, as {@code nix-store --add} and
     * {@code builtins.path} make: type {@code source}, then each reference, then {@code self}.
     */
    public StorePath makeSourcePath(Hash narHash, Collection<StorePath> references, boolean selfReference, String name) {
        if (narHash.algorithm() != HashAlgorithm.SHA256) {
            throw new IllegalArgumentException("source paths use a SHA-256 NAR hash");
        }
        return makeStorePath(makeType("source", references, selfReference), narHash, name);
    }

    /** The path of a text file written by {@code builtins.toFile} / {@code writeText}. */
    public StorePath makeTextPath(Hash sha256, Collection<StorePath> references, String name) {
        return makeStorePath(makeType("text", references, false), sha256, name);
    }

    /** A fixed-output derivation output; recursive SHA-256 is a source path. */
    public StorePath makeFixedOutputPath(boolean recursive, Hash hash, String name) {
        if (recursive && hash.algorithm() == HashAlgorithm.SHA256) {
            return makeSourcePath(hash, java.util.List.of(), false, name);
        }
        String inner = "fixed:out:" + (recursive ? "r:" : "") + hash.algorithm().nixName() + ":" + hash.toBase16() + ":";
        return makeStorePath("output:out", Hash.sha256(inner.getBytes(StandardCharsets.UTF_8)), name);
    }

    private String makeType(String type, Collection<StorePath> references, boolean selfReference) {
        StringBuilder sb = new StringBuilder(type);
        for (StorePath ref : new TreeSet<>(references)) {
            sb.append(':').append(print(ref));
        }
        if (selfReference) {
            sb.append(":self");
        }
        return sb.toString();
    }

    /** Nix's {@code compressHash}: byte i of the input is XORed into byte i mod {@code size}. */
    static byte[] xorFold(byte[] hash, int size) {
        byte[] out = new byte[size];
        for (int i = 0; i < hash.length; i++) {
            out[i % size] ^= hash[i];
        }
        return out;
    }
}
