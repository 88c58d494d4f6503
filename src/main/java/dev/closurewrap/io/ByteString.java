package dev.closurewrap.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable string of bytes. Sonames, paths inside ELF files and NAR entry names are not
 * guaranteed to be UTF-8, so they stay bytes until they are shown to a person.
 * Ordering is unsigned lexicographic, the order NAR directory entries must follow.
 */
public final class ByteString implements Comparable<ByteString> {
    public static final ByteString EMPTY = new ByteString(new byte[0]);

    private final byte[] bytes;
    private int hash;

    private ByteString(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}. */
    public static ByteString of(byte[] bytes) {
        return new ByteString(bytes.clone());
    }

    /** A copy of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static ByteString of(byte[] bytes, int offset, int length) {
        return new ByteString(Arrays.copyOfRange(bytes, offset, Math.addExact(offset, length)));
    }

    /** The UTF-8 encoding of {@code text}. */
    public static ByteString utf8(String text) {
        return new ByteString(text.getBytes(StandardCharsets.UTF_8));
    }

    public int length() {
        return bytes.length;
    }

    public byte byteAt(int index) {
        return bytes[index];
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    public boolean startsWith(ByteString prefix) {
        return prefix.bytes.length <= bytes.length
                && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
    }

    public boolean endsWith(ByteString suffix) {
        int from = bytes.length - suffix.bytes.length;
        return from >= 0 && Arrays.equals(bytes, from, bytes.length, suffix.bytes, 0, suffix.bytes.length);
    }

    /** Index of the first occurrence of {@code b} at or after {@code from}, or -1. */
    public int indexOf(byte b, int from) {
        for (int i = Math.max(from, 0); i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first occurrence of {@code needle}, or -1. */
    public int indexOf(ByteString needle) {
        outer:
        for (int i = 0; i + needle.bytes.length <= bytes.length; i++) {
            for (int j = 0; j < needle.bytes.length; j++) {
                if (bytes[i + j] != needle.bytes[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public boolean contains(byte b) {
        return indexOf(b, 0) >= 0;
    }

    public ByteString substring(int from, int to) {
        return new ByteString(Arrays.copyOfRange(bytes, from, to));
    }

    public ByteString concat(ByteString other) {
        byte[] joined = Arrays.copyOf(bytes, bytes.length + other.bytes.length);
        System.arraycopy(other.bytes, 0, joined, bytes.length, other.bytes.length);
        return new ByteString(joined);
    }

    /** Decoded as UTF-8; malformed bytes become U+FFFD. For display, never for comparison. */
    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether the bytes are well-formed UTF-8. */
    public boolean isValidUtf8() {
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes), java.nio.CharBuffer.allocate(bytes.length), true).isUnderflow();
    }

    /** Printable form: UTF-8 where valid and printable, {@code \xNN} escapes for every other byte. */
    @Override
    public String toString() {
        if (isValidUtf8()) {
            String s = utf8();
            if (s.codePoints().noneMatch(Character::isISOControl)) {
                return s;
            }
        }
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int u = b & 0xff;
            if (u >= 0x20 && u < 0x7f && u != '\\') {
                sb.append((char) u);
            } else {
                sb.append(String.format("\\x%02x", u));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(ByteString other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }
}
