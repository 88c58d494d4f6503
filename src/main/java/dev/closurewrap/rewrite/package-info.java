/**
 * Applies one file's rewrite plan ({@link dev.closurewrap.rewrite.PlanRewriter}): ELF edits through
 * the {@code elf} editor, read back against the plan; exec shims and launchers that run programs
 * through the bundled loader; relative symlinks; scripts whose interpreter lives in the store;
 * nixpkgs makeWrapper wrappers; {@code --prefix} text rewrites. Also the store-reference scanner
 * behind {@code verify}. Each rewrite is a pure function of (input bytes, plan) to output bytes,
 * written to a file the caller names and commits.
 */
package dev.closurewrap.rewrite;
