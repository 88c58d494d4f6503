package dev.closurewrap.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Maps a list through I/O work on a pool of its own, keeping the input order and letting the
 * first {@link IOException} out as itself: a bad file stays a bad file, not a wrapped error.
 */
public final class ParallelIo {
    private ParallelIo() {}

    /** A function that may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface IoFunction<T, R> {
        R apply(T input) throws IOException;
    }

    /**
     * {@code work} applied to every input on at most {@code threads} threads (never more than there
     * are inputs), results in input order. {@code what} names the work in an interruption message.
     */
    public static <T, R> List<R> map(int threads, List<T> inputs, IoFunction<T, R> work, String what)
            throws IOException {
        if (inputs.isEmpty()) {
            return List.of();
        }
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, Math.min(threads, inputs.size())));
        try {
            return pool.submit(() -> inputs.parallelStream().map(input -> {
                try {
                    return work.apply(input);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList()).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(what + " failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what, e);
        } finally {
            pool.shutdown();
        }
    }
}
