package dev.closurewrap.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelIoTest {
    @Test
    void map_anyWeightsAndThreads_givesResultsInInputOrder() throws IOException {
        Random random = new Random(5);
        List<Integer> inputs = IntStream.range(0, 500).map(i -> random.nextInt(1000)).boxed().toList();
        for (int threads : new int[] {1, 2, 7}) {
            assertEquals(inputs.stream().map(i -> i * 2).toList(),
                    ParallelIo.map(threads, inputs, i -> (long) i, i -> i * 2, "doubling"));
        }
    }

    @Test
    void map_oneThread_startsTheHeaviestFirst() throws IOException {
        List<Integer> inputs = List.of(3, 9, 1, 7);
        List<Integer> started = Collections.synchronizedList(new ArrayList<>());
        ParallelIo.map(1, inputs, i -> (long) i, i -> {
            started.add(i);
            return i;
        }, "recording");
        assertEquals(List.of(9, 7, 3, 1), started);
    }

    @Test
    void map_anInputFails_theIOExceptionComesOutAsItself() {
        IOException bad = new IOException("bad file");
        IOException thrown = assertThrows(IOException.class, () -> ParallelIo.map(2, List.of(1, 2, 3, 4), i -> {
            if (i == 3) {
                throw bad;
            }
            return i;
        }, "failing"));
        assertSame(bad, thrown);
    }

    @Test
    void map_anUncheckedFailure_stopsTheOtherWorkersAtTheirNextInput() {
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
        assertThrows(IllegalStateException.class, () -> ParallelIo.map(2, inputs, i -> {
            started.incrementAndGet();
            if (i == 3) {
                throw new IllegalStateException("a bug");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            return i;
        }, "failing"));
        // One thread fails on its first or second input; the other finishes at most the one it holds.
        org.junit.jupiter.api.Assertions.assertTrue(started.get() < 10, "inputs started: " + started.get());
    }
}
