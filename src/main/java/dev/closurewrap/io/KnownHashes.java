package dev.closurewrap.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * SHA-256 hashes of files read before, each valid while the file keeps the {@link FileIdentity} it
 * had when it was hashed: a scan that finds the same identity again skips reading the file. The
 * store's files never change, so a second job over the same closure reads only their first bytes
 * and ELF headers (unless it must scan their contents for references anyway: no Nix database).
 */
public interface KnownHashes {
    /** Remembers nothing. */
    KnownHashes NONE = new KnownHashes() {
        @Override
        public Optional<String> sha256(Path file, FileIdentity identity) {
            return Optional.empty();
        }

        @Override
        public void remember(Path file, FileIdentity identity, String sha256) {}
    };

    /** The lowercase hex SHA-256 of {@code file}'s content, if it was hashed with this identity. */
    Optional<String> sha256(Path file, FileIdentity identity) throws IOException;

    /**
     * Remembers a hash of {@code file} taken while it had {@code identity}, read before the hash
     * was taken. Callers only pass identities that are {@link FileIdentity#settledAt settled}.
     */
    void remember(Path file, FileIdentity identity, String sha256) throws IOException;
}
