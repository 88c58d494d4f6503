package dev.closurewrap.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lstat} says about a file that changes whenever its content can have changed: device,
 * inode, size, modification and status-change times (nanoseconds). The status-change time (ctime)
 * cannot be set by anyone: it moves on every write, rename, chmod and link. The way git's index
 * and rsync decide "unchanged" without reading.
 */
public record FileIdentity(long device, long inode, long size, long modifiedNanos, long changedNanos) {
    /**
     * How long ago the last change must be before an identity may vouch for a content hash: a file
     * written again within one tick of the kernel's coarse clock keeps its times, so a hash taken
     * right after a change could be remembered for content that changed once more in the same tick
     * (git's "racily clean" entries).
     */
    public static final long SETTLED_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** The identity of {@code file} itself (a symlink is not followed). */
    public static FileIdentity of(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime",
                LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")));
    }

    /** Whether the file last changed at least {@link #SETTLED_NANOS} before {@code nowNanos} (epoch nanoseconds). */
    public boolean settledAt(long nowNanos) {
        return nowNanos - Math.max(modifiedNanos, changedNanos) >= SETTLED_NANOS;
    }

    /** Now, in the epoch nanoseconds file times use. */
    public static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long nanos(FileTime time) {
        java.time.Instant i = time.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
