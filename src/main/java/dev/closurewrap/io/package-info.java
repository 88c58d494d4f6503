/**
 * What every stage shares, nothing that depends on a format: byte strings and paths held as bytes,
 * the two input-error types, atomic (and optionally durable) file writes, and an order-keeping
 * parallel map that lets IOExceptions out as themselves.
 * Every other package may depend on this one; it depends on none of them.
 */
package dev.closurewrap.io;
