package dev.closurewrap.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated fixtures in every class and byte order give a parse or a BadInputException, quickly. */
class ElfMutationTest {
    static Stream<Arguments> layouts() {
        return ElfFileTest.layouts();
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void mutatedFixture_onlyParsesOrRaisesBadInput(ElfClass c, ElfData d) throws Exception {
        long seed = Long.getLong("elf.mutation.seed", System.nanoTime());
        byte[] bytes = ElfBuilder.of(c, d).interpreter("/lib/ld-linux.so.2").needed("libfoo.so.1", "libc.so.6")
                .soname("libbar.so").runpath("$ORIGIN").rpath("/old").flags1(ElfConstants.DF_1_PIE)
                .versionNeed("libc.so.6", "GLIBC_2.0", "GLIBC_2.34").versionNeed("libfoo.so.1", "FOO_1")
                .build().bytes();
        ElfMutator mutator = new ElfMutator("fixture-" + c + "-" + d, bytes, seed);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            mutator.mutateEveryField();
            mutator.mutateRandomBytes(3000);
            mutator.truncate(300);
        }, () -> "mutations did not finish in time; seed " + seed + " (-Delf.mutation.seed=" + seed + ")");
        System.out.printf("ElfMutationTest %s %s: %d mutations, %d rejected, seed %d%n", c, d, mutator.parses(),
                mutator.rejected(), seed);
        assertTrue(mutator.failures().isEmpty(), () -> "seed " + seed + " (-Delf.mutation.seed=" + seed + "), "
                + mutator.failures().size() + " of " + mutator.parses() + " mutations failed:\n"
                + String.join("\n", mutator.failures().subList(0, Math.min(30, mutator.failures().size()))));
        assertTrue(mutator.rejected() > mutator.parses() / 10, "most mutations should break something: "
                + mutator.rejected() + " of " + mutator.parses());
    }
}
