package dev.closurewrap.store;

/**
 * Nix's base-32: alphabet {@code 0123456789abcdfghijklmnpqrsvwxyz} (no e, o, t, u), the bytes read
 * as one little-endian number printed most significant digit first; n bytes take
 * ⌊(8n − 1)/5⌋ + 1 characters (20 → 32, 32 → 52).
 */
public final class Nix32 {
    static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";
    private static final byte[] DIGIT = new byte[128];

    static {
        java.util.Arrays.fill(DIGIT, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            DIGIT[ALPHABET.charAt(i)] = (byte) i;
        }
    }

    private Nix32() {}

    /** Characters needed for {@code bytes} bytes. */
    public static int encodedLength(int bytes) {
        return bytes == 0 ? 0 : (bytes * 8 - 1) / 5 + 1;
    }

    public static String encode(byte[] bytes) {
        int len = encodedLength(bytes.length);
        char[] out = new char[len];
        for (int n = len - 1; n >= 0; n--) {
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            int v = (bytes[i] & 0xff) >>> j;
            if (i + 1 < bytes.length) {
                v |= (bytes[i + 1] & 0xff) << (8 - j);
            }
            out[len - 1 - n] = ALPHABET.charAt(v & 0x1f);
        }
        return new String(out);
    }

    /**
     * Decodes {@code s} into {@code size} bytes; throws IllegalArgumentException for a wrong length,
     * a character outside the alphabet or bits beyond {@code size} bytes.
     */
    public static byte[] decode(String s, int size) {
        if (s.length() != encodedLength(size)) {
            throw new IllegalArgumentException("base-32 of " + size + " bytes has " + encodedLength(size)
                    + " characters, not " + s.length());
        }
        byte[] out = new byte[size];
        int len = s.length();
        for (int n = 0; n < len; n++) {
            char c = s.charAt(len - 1 - n);
            int digit = c < 128 ? DIGIT[c] : -1;
            if (digit < 0) {
                throw new IllegalArgumentException("'" + c + "' is not a Nix base-32 digit");
            }
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            out[i] |= (byte) (digit << j);
            int carry = digit >>> (8 - j);
            if (i + 1 < size) {
                out[i + 1] |= (byte) carry;
            } else if (carry != 0) {
                throw new IllegalArgumentException("base-32 \"" + s + "\" has bits beyond " + size + " bytes");
            }
        }
        return out;
    }

    /** Whether {@code c} is a digit of the alphabet. */
    public static boolean isDigit(char c) {
        return c < 128 && DIGIT[c] >= 0;
    }
}
