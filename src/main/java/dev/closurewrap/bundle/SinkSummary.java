package dev.closurewrap.bundle;

/**
 * What a sink wrote.
 *
 * @param directories directory entries
 * @param files regular files
 * @param symlinks symbolic links
 * @param contentBytes bytes of file content
 * @param hardLinked files hard-linked from their source instead of copied (directory sink)
 * @param outputBytes size of the archive written, 0 for a directory
 */
public record SinkSummary(long directories, long files, long symlinks, long contentBytes, long hardLinked,
                          long outputBytes) {
}
