/**
 * Applies rewrite plans to the files that are not ELF objects, and scans for what is left: exec
 * shims and launchers that run programs through the bundled loader, relative symlinks, scripts whose
 * interpreter lives in the store, nixpkgs makeWrapper wrappers, {@code --prefix} text rewrites, and
 * the store-reference scanner behind {@code verify}. Each rewrite is a pure function of (input
 * bytes, plan) to output bytes; nothing here touches the file system except the scanner's stream.
 */
package dev.closurewrap.rewrite;
