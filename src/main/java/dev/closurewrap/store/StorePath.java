package dev.closurewrap.store;

/**
 * A store path without its store directory: {@code <hash part>-<name>}. The hash part is 32
 * base-32 characters (160 bits); the name follows Nix's rules: 1 to 211 characters from
 * {@code [A-Za-z0-9+-._?=]}, and not {@code .}, {@code ..} or starting with {@code .-} / {@code ..-}.
 * Ordered like Nix orders them, by base name.
 */
public record StorePath(String hashPart, String name) implements Comparable<StorePath> {
    public static final int HASH_PART_LENGTH = 32;
    public static final int MAX_NAME_LENGTH = 211;

    public StorePath {
        String problem = hashPartProblem(hashPart);
        if (problem == null) {
            problem = nameProblem(name);
        }
        if (problem != null) {
            throw new IllegalArgumentException("bad store path \"" + hashPart + "-" + name + "\": " + problem);
        }
    }

    /** Parses {@code <hash part>-<name>}. */
    public static StorePath parseBaseName(String baseName) {
        if (baseName.length() < HASH_PART_LENGTH + 2 || baseName.charAt(HASH_PART_LENGTH) != '-') {
            throw new IllegalArgumentException("bad store path \"" + baseName + "\": not <32-character hash>-<name>");
        }
        return new StorePath(baseName.substring(0, HASH_PART_LENGTH), baseName.substring(HASH_PART_LENGTH + 1));
    }

    public String baseName() {
        return hashPart + "-" + name;
    }

    /** The 20 bytes the hash part encodes. */
    public byte[] hashBytes() {
        return Nix32.decode(hashPart, 20);
    }

    @Override
    public int compareTo(StorePath other) {
        return baseName().compareTo(other.baseName());
    }

    @Override
    public String toString() {
        return baseName();
    }

    private static String hashPartProblem(String hashPart) {
        if (hashPart == null || hashPart.length() != HASH_PART_LENGTH) {
            return "hash part must have " + HASH_PART_LENGTH + " characters";
        }
        for (int i = 0; i < hashPart.length(); i++) {
            if (!Nix32.isDigit(hashPart.charAt(i))) {
                return "'" + hashPart.charAt(i) + "' in the hash part is not a Nix base-32 digit";
            }
        }
        return null;
    }

    /** Why {@code name} cannot be a store path name, or null. */
    static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty name";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "name longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (name.equals(".") || name.equals("..") || name.startsWith(".-") || name.startsWith("..-")) {
            return "name \"" + name + "\" is not allowed";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "+-._?=".indexOf(c) >= 0;
            if (!ok) {
                return "character '" + c + "' is not allowed in a name";
            }
        }
        return null;
    }
}
