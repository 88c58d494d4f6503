/**
 * Per-file rewrite plans made from the dependency graph, as data: what each output file is made of
 * ({@link Action}: copy, ELF edits, a symlink, a relocated script, an exec shim, a launcher) and
 * where it goes. Plans serialise to JSON ({@link PlanJson}) and hash to a stable digest, so the
 * checkpoint store can tell "same input, same plan, same output" across runs and jobs.
 */
package dev.closurewrap.plan;
