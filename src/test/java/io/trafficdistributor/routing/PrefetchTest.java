package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PrefetchTest {

    @Test
    void everyItemInTheProducersOrderThroughASmallQueue() {
        Prefetch<Integer> items = new Prefetch<>("test-prefetch", 4, each -> {
            for (int i = 0; i < 1000; i++) {
                each.accept(i);
            }
        });
        List<Integer> seen = new ArrayList<>();
        items.forEach(seen::add);
        assertEquals(1000, seen.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, seen.get(i));
        }
        assertTrue(items.producedAtNanos() != 0);
    }

    @Test
    void theProducersFailureEndsTheIterationWithIt() {
        IllegalStateException failure = new IllegalStateException("database gone");
        Prefetch<String> items = new Prefetch<>("test-prefetch", 4, each -> {
            each.accept("first");
            throw failure;
        });
        List<String> seen = new ArrayList<>();
        assertSame(failure, assertThrows(IllegalStateException.class, () -> items.forEach(seen::add)));
        assertEquals(List.of("first"), seen);
    }

    @Test
    void itMeasuresWhichSideWaitedForTheOther() throws Exception {
        Prefetch<Integer> slowConsumer = new Prefetch<>("test-prefetch", 1, each -> {
            for (int i = 0; i < 5; i++) {
                each.accept(i);
            }
        });
        for (Integer ignored : slowConsumer) {
            Thread.sleep(20);
        }
        assertTrue(slowConsumer.producerWaitMillis() >= 40, "producer waited " + slowConsumer.producerWaitMillis());

        Prefetch<Integer> slowProducer = new Prefetch<>("test-prefetch", 1, each -> {
            for (int i = 0; i < 5; i++) {
                sleep(20);
                each.accept(i);
            }
        });
        slowProducer.forEach(i -> { });
        assertTrue(slowProducer.consumerWaitMillis() >= 80, "consumer waited " + slowProducer.consumerWaitMillis());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
