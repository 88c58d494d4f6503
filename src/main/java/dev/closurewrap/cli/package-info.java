/** The command line: one class per sub-command, exit codes in {@link dev.closurewrap.cli.ExitCodes}. The only package that imports picocli. */
package dev.closurewrap.cli;
