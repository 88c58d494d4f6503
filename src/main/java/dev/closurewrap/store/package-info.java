/**
 * Nix store formats: base-32, hashes, validated store paths and their computation,
 * {@code nix-store --export} streams, narinfo files and local binary caches. Depends on
 * {@code io}, {@code nar} (and may use {@code elf}).
 */
package dev.closurewrap.store;
