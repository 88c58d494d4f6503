package dev.closurewrap.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToLongFunction;

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
        return map(threads, inputs, input -> 1, work, what);
    }

    /**
     * {@link #map(int, List, IoFunction, String)}, the heaviest inputs started first and each
     * thread taking the next input when it is done with one: a large file met last would otherwise
     * keep one thread busy while the others wait.
     */
    public static <T, R> List<R> map(int threads, List<T> inputs, ToLongFunction<T> weight, IoFunction<T, R> work,
            String what) throws IOException {
        if (inputs.isEmpty()) {
            return List.of();
        }
        Integer[] order = new Integer[inputs.size()];
        long[] weights = new long[inputs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            weights[i] = weight.applyAsLong(inputs.get(i));
        }
        Arrays.sort(order, (a, b) -> Long.compare(weights[b], weights[a]));
        AtomicReferenceArray<R> results = new AtomicReferenceArray<>(order.length);
        AtomicInteger next = new AtomicInteger();
        int workers = Math.max(1, Math.min(threads, inputs.size()));
        ForkJoinPool pool = new ForkJoinPool(workers);
        try {
            List<ForkJoinTask<?>> tasks = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                tasks.add(pool.submit(() -> {
                    for (int k; (k = next.getAndIncrement()) < order.length; ) {
                        int i = order[k];
                        boolean done = false;
                        try {
                            results.set(i, work.apply(inputs.get(i)));
                            done = true;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        } finally {
                            if (!done) {
                                next.set(order.length); // any failure: the others stop at their next input
                            }
                        }
                    }
                }));
            }
            // Every worker is waited for, so none still runs when the caller goes on after a failure;
            // the failure reported is that of the first worker in the list that failed.
            ExecutionException first = null;
            for (ForkJoinTask<?> task : tasks) {
                try {
                    task.get();
                } catch (ExecutionException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
            List<R> list = new ArrayList<>(order.length);
            for (int i = 0; i < order.length; i++) {
                list.add(results.get(i));
            }
            return list;
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
            next.set(order.length);
            pool.shutdownNow();
            awaitTermination(pool); // as after a failure: no worker outlives the call
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what, e);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Waits for a shut-down pool's threads to end, through interrupts (the interrupt is kept for
     * the caller): what they use may be closed next, and RocksDB closed under a running thread
     * crashes the JVM.
     */
    public static void awaitTermination(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException again) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
