package dev.closurewrap.elf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The dynamic array found through PT_DYNAMIC. {@code entries} runs up to and including the first
 * DT_NULL; {@code capacity} is how many entries PT_DYNAMIC's file image has room for, so
 * {@code capacity - entries.size()} spare slots follow the terminator (an editor may use them).
 * When a tag occurs more than once, the loader (glibc and musl alike) uses the last one, and so do
 * {@link #last(long)} and the convenience accessors of {@link ElfFile}.
 */
public record DynamicSection(ProgramHeader segment, long fileOffset, int entrySize, int capacity,
        List<DynamicEntry> entries) {

    public DynamicSection {
        Objects.requireNonNull(segment, "segment");
        entries = List.copyOf(entries);
        if (entries.isEmpty() || entries.get(entries.size() - 1).tag() != ElfConstants.DT_NULL) {
            throw new IllegalArgumentException("dynamic entries must end with DT_NULL");
        }
        if (capacity < entries.size()) {
            throw new IllegalArgumentException("capacity " + capacity + " < " + entries.size() + " entries");
        }
    }

    /** Every entry with {@code tag}, in file order. */
    public List<DynamicEntry> all(long tag) {
        return entries.stream().filter(e -> e.tag() == tag).toList();
    }

    /** The entry the loader uses for {@code tag}: the last one. */
    public Optional<DynamicEntry> last(long tag) {
        DynamicEntry found = null;
        for (DynamicEntry e : entries) {
            if (e.tag() == tag) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The value the loader uses for {@code tag}, if present. */
    public OptionalLong value(long tag) {
        return last(tag).map(e -> OptionalLong.of(e.value())).orElse(OptionalLong.empty());
    }

    /** The terminating DT_NULL entry. */
    public DynamicEntry terminator() {
        return entries.get(entries.size() - 1);
    }
}
