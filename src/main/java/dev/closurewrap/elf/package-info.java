/**
 * ELF: a read-only reader ({@link dev.closurewrap.elf.ElfFile}) of 32- and 64-bit, little- and
 * big-endian files of any machine, keeping every raw structure with its file offset so that the
 * editor can be built on it; and the classification of files (program, library, loader, static, ...)
 * and of their loader family; and the editor ({@link dev.closurewrap.elf.ElfEditor}): edits as data
 * ({@link dev.closurewrap.elf.ElfEdit}), laid out in one pass into a patch. Depends on {@code io} only.
 */
package dev.closurewrap.elf;
