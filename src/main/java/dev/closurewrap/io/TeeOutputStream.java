package dev.closurewrap.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes every byte to a stream and to a tap (a digest, a reference scan) in the same order.
 * Closing closes only the stream: the tap belongs to the caller, who reads its result afterwards.
 */
public final class TeeOutputStream extends FilterOutputStream {
    private final OutputStream tap;

    public TeeOutputStream(OutputStream out, OutputStream tap) {
        super(out);
        this.tap = tap;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        tap.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        tap.write(b, off, len);
    }
}
