/**
 * What every stage shares: byte strings and the two input-error types, nothing that depends on a format.
 * Every other package may depend on this one; it depends on none of them.
 */
package dev.closurewrap.io;
