/**
 * The checkpoint store: per output file the input hash, plan hash, output hash and state, one job
 * record per state directory, and a result index reused across jobs. The only package that imports
 * RocksDB. See {@link dev.closurewrap.checkpoint.CheckpointStore} for the durability protocol.
 */
package dev.closurewrap.checkpoint;
