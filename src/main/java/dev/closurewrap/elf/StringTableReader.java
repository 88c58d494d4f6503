package dev.closurewrap.elf;

import dev.closurewrap.io.BadInputException;
import dev.closurewrap.io.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads NUL-terminated strings out of one string table. A small table is read once; a large one is
 * read in chunks around each string, so a huge (or hugely mis-declared) table costs no memory.
 */
final class StringTableReader {
    /** Tables up to this size are read whole, on first use. */
    private static final int WHOLE_TABLE_LIMIT = 16 << 20;
    /** No string in a dynamic or section-name table is longer than this; a longer one is corruption. */
    static final int MAX_STRING = 1 << 20;
    private static final int CHUNK = 256;

    private final ElfInput input;
    private final StringTable table;
    private final String tableName;
    private byte[] whole;

    StringTableReader(ElfInput input, StringTable table, String tableName) {
        this.input = input;
        this.table = table;
        this.tableName = tableName;
    }

    StringTable table() {
        return table;
    }

    /**
     * The string at {@code index}. {@code what} names the referring field and {@code referrerOffset}
     * where that field lies, for the error message.
     */
    ByteString get(long index, String what, long referrerOffset) throws IOException {
        if (index < 0 || index >= table.size()) {
            throw input.bad(referrerOffset, what + " string index 0x" + Long.toHexString(index) + " is outside "
                    + tableName + " (size 0x" + Long.toHexString(table.size()) + ")");
        }
        if (table.size() <= WHOLE_TABLE_LIMIT) {
            if (whole == null) {
                ByteBuffer buffer = input.read(table.fileOffset(), table.size(), tableName);
                whole = new byte[buffer.remaining()];
                buffer.get(whole);
            }
            int start = (int) index;
            for (int i = start; i < whole.length; i++) {
                if (whole[i] == 0) {
                    return ByteString.of(whole, start, i - start);
                }
            }
            throw unterminated(index, what);
        }
        return getChunked(index, what);
    }

    private ByteString getChunked(long index, String what) throws IOException {
        java.io.ByteArrayOutputStream collected = new java.io.ByteArrayOutputStream();
        long position = index;
        while (position < table.size()) {
            int length = (int) Math.min(CHUNK, table.size() - position);
            ByteBuffer chunk = input.read(table.fileOffset() + position, length, tableName);
            while (chunk.hasRemaining()) {
                byte b = chunk.get();
                if (b == 0) {
                    return ByteString.of(collected.toByteArray());
                }
                collected.write(b);
            }
            position += length;
            if (collected.size() > MAX_STRING) {
                throw input.bad(table.fileOffset() + index, what + " string at index 0x" + Long.toHexString(index)
                        + " in " + tableName + " is longer than " + (MAX_STRING >> 20) + " MiB");
            }
        }
        throw unterminated(index, what);
    }

    private BadInputException unterminated(long index, String what) {
        return input.bad(table.fileOffset() + index, what + " string at index 0x" + Long.toHexString(index)
                + " has no terminating NUL before the end of " + tableName + " (size 0x"
                + Long.toHexString(table.size()) + ")");
    }
}
