package dev.closurewrap.graph;

import dev.closurewrap.io.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Conversions between the loader's byte paths and Java's. Inside the loader models a path is a
 * {@code String} whose chars are its bytes (ISO-8859-1), so splitting at ':' and '/' and joining
 * keep every byte; only the file system boundary decodes it.
 */
public final class LoaderPaths {
    private LoaderPaths() {}

    public static String of(ByteString bytes) {
        return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    public static ByteString bytes(String loaderPath) {
        return ByteString.of(loaderPath.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static String of(Path path) {
        return new String(path.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    public static Path toPath(String loaderPath) {
        return Path.of(new String(loaderPath.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    /** For people: the bytes decoded as UTF-8. */
    public static String display(String loaderPath) {
        return new String(loaderPath.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Everything before the last '/', as glibc and musl compute an object's origin ("/" stays "/"). */
    public static String dirname(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return ".";
        }
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    public static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
