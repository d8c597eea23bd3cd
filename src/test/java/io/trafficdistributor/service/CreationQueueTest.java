package io.trafficdistributor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** How waiting creations are taken in groups: in arrival order, all that wait up to the group's size. */
class CreationQueueTest {

    @Test
    void aCreationThatWaitsAloneIsAGroupOfOne() throws Exception {
        CreationQueue<String> queue = new CreationQueue<>(64);
        queue.add("a");
        assertEquals(List.of("a"), queue.takeGroup());
        assertEquals(0, queue.size());
    }

    @Test
    void everythingThatWaitsGoesInOneGroupInArrivalOrder() throws Exception {
        CreationQueue<String> queue = new CreationQueue<>(64);
        for (String name : List.of("a", "b", "c", "d")) {
            queue.add(name);
        }
        assertEquals(4, queue.size());
        assertEquals(List.of("a", "b", "c", "d"), queue.takeGroup());
    }

    @Test
    void aGroupHoldsAtMostItsSizeAndTheRestGoNext() throws Exception {
        CreationQueue<Integer> queue = new CreationQueue<>(3);
        for (int i = 0; i < 7; i++) {
            queue.add(i);
        }
        assertEquals(List.of(0, 1, 2), queue.takeGroup());
        assertEquals(List.of(3, 4, 5), queue.takeGroup());
        assertEquals(List.of(6), queue.takeGroup());
    }

    @Test
    void takingWaitsForTheFirstCreation() throws Exception {
        CreationQueue<String> queue = new CreationQueue<>(64);
        CompletableFuture<List<String>> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.takeGroup();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        queue.add("late");
        assertEquals(List.of("late"), taken.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theRestIsWhatWaitsWhenTheWriterStops() {
        CreationQueue<String> queue = new CreationQueue<>(2);
        queue.add("a");
        queue.add("b");
        queue.add("c");
        assertEquals(List.of("a", "b", "c"), queue.takeRest());
        assertEquals(List.of(), queue.takeRest());
    }

    @Test
    void aGroupHoldsAtLeastOne() {
        assertThrows(IllegalArgumentException.class, () -> new CreationQueue<String>(0));
    }
}
