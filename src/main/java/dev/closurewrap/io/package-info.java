/**
 * What every stage shares: the two input-error types and nothing else that depends on a format.
 * Every other package may depend on this one; it depends on none of them.
 */
package dev.closurewrap.io;
