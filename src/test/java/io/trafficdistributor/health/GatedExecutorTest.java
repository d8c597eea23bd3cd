package io.trafficdistributor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class GatedExecutorTest {

    @Test
    void holdsEveryTaskUntilOpenedThenRunsThemInOrder() {
        List<Runnable> handedOver = new ArrayList<>();
        GatedExecutor gate = new GatedExecutor(handedOver::add);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            gate.execute(() -> ran.add(n));
        }
        assertTrue(handedOver.isEmpty());
        assertFalse(gate.isOpen());

        gate.open();
        assertTrue(gate.isOpen());
        assertEquals(1, handedOver.size(), "the held tasks go over as one, so nothing can pass them");
        gate.execute(() -> ran.add(5));
        assertEquals(2, handedOver.size());
        handedOver.forEach(Runnable::run);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), ran);

        gate.open(); // a second call changes nothing
        assertEquals(2, handedOver.size());
    }

    @Test
    void nothingHeldNothingHandedOverOnOpening() {
        List<Runnable> handedOver = new ArrayList<>();
        GatedExecutor gate = new GatedExecutor(handedOver::add);
        gate.open();
        assertTrue(handedOver.isEmpty());
        gate.execute(() -> { });
        assertEquals(1, handedOver.size());
    }

    @Test
    void tasksFromManyThreadsWhileItOpensRunOnceEachAndHeldOnesFirst() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            GatedExecutor gate = new GatedExecutor(single);
            List<Integer> ran = new ArrayList<>(); // only the single thread writes it
            int held = 1000;
            for (int i = 0; i < held; i++) {
                int n = i;
                gate.execute(() -> ran.add(n));
            }
            int later = 4000;
            CountDownLatch go = new CountDownLatch(1);
            for (int w = 0; w < 4; w++) {
                int from = held + w * (later / 4);
                writers.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = from; i < from + later / 4; i++) {
                        int n = i;
                        gate.execute(() -> ran.add(n));
                    }
                });
            }
            go.countDown();
            gate.open();
            writers.shutdown();
            assertTrue(writers.awaitTermination(10, TimeUnit.SECONDS));
            CountDownLatch drained = new CountDownLatch(1);
            single.execute(drained::countDown);
            assertTrue(drained.await(10, TimeUnit.SECONDS));

            assertEquals(held + later, ran.size());
            assertEquals(held + later, ran.stream().distinct().count());
            // The tasks held before the writers started ran first, in order, whatever the writers raced.
            assertEquals(IntStream.range(0, held).boxed().toList(), ran.subList(0, held));
        } finally {
            single.shutdownNow();
            writers.shutdownNow();
        }
    }
}
