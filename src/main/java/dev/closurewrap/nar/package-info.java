/**
 * The NAR archive codec: the wire grammar ({@link dev.closurewrap.nar.NarWire}) written once and
 * shared by the streaming {@link dev.closurewrap.nar.NarReader} and {@link dev.closurewrap.nar.NarWriter},
 * the limits every archive must keep ({@link dev.closurewrap.nar.NarLimits}), dumping a directory
 * tree and restoring one safely. It knows nothing of store paths. Depends on {@code io} only.
 */
package dev.closurewrap.nar;
