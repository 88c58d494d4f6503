package dev.closurewrap.bundle;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands the bytes written to it, in 1 MiB chunks, to a thread that writes them to
 * {@code downstream}: the archive writer and the compressor then run on two cores. The downstream
 * sees exactly the same byte sequence, so the output is unchanged. At most a few chunks are in
 * flight. A downstream failure is rethrown on the next write or at close.
 */
final class HandoffOutputStream extends OutputStream {
    private static final int CHUNK = 1 << 20;
    private static final byte[] END = new byte[0];

    private final OutputStream downstream;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4);
    private final Thread consumer;
    private volatile IOException failure;
    private byte[] chunk = new byte[CHUNK];
    private int used;
    private boolean closed;

    HandoffOutputStream(OutputStream downstream, String threadName) {
        this.downstream = downstream;
        this.consumer = new Thread(this::consume, threadName);
        consumer.setDaemon(true);
        consumer.start();
    }

    private void consume() {
        try {
            for (byte[] b; (b = queue.take()) != END; ) {
                if (failure == null) {
                    try {
                        downstream.write(b);
                    } catch (IOException e) {
                        // Keep taking chunks so that the writer never blocks on a full queue.
                        failure = e;
                    }
                }
            }
        } catch (InterruptedException e) {
            failure = new InterruptedIOException("compressor thread interrupted");
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (used == chunk.length) {
            handOff();
        }
        chunk[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (used == chunk.length) {
                handOff();
            }
            int n = Math.min(len, chunk.length - used);
            System.arraycopy(b, off, chunk, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    private void handOff() throws IOException {
        checkFailure();
        put(used == chunk.length ? chunk : Arrays.copyOf(chunk, used));
        chunk = new byte[CHUNK];
        used = 0;
    }

    private void put(byte[] b) throws IOException {
        try {
            queue.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing data to the compressor");
        }
    }

    private void checkFailure() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException("compressing failed: " + f.getMessage(), f);
        }
    }

    /** Waits until the downstream has every byte, then closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (used > 0) {
                handOff();
            }
        } finally {
            put(END);
            try {
                consumer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the compressor");
            }
            downstream.close();
        }
        checkFailure();
    }
}
