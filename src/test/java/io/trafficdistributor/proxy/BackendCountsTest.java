package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The request history kept on a backend's counts: a bucket per sample, a ring only while it holds requests. */
class BackendCountsTest {

    @Test
    void theFirstBucketHoldsEverythingCountedBeforeIt() {
        BackendCounts counts = new BackendCounts();
        counts.add(1, 4); // 2xx
        counts.add(4, 1); // 5xx
        assertEquals(5, counts.total());
        counts.closeBucket(3);
        assertArrayEquals(new int[] { 0, 0, 5 }, counts.bucketsOldestFirst());
    }

    @Test
    void eachBucketHoldsWhatTheTotalGrewBy() {
        BackendCounts counts = new BackendCounts();
        counts.add(1, 2);
        counts.closeBucket(3);
        counts.closeBucket(3); // nothing in between
        counts.add(1, 7);
        counts.closeBucket(3);
        assertArrayEquals(new int[] { 2, 0, 7 }, counts.bucketsOldestFirst());
    }

    @Test
    void noRingWithoutTrafficAndNoneOnceTheWindowIsEmpty() {
        BackendCounts counts = new BackendCounts();
        counts.closeBucket(2);
        assertNull(counts.bucketsOldestFirst(), "never had traffic: no ring");
        counts.add(1, 1);
        counts.closeBucket(2);
        counts.closeBucket(2);
        assertArrayEquals(new int[] { 1, 0 }, counts.bucketsOldestFirst());
        counts.closeBucket(2);
        assertNull(counts.bucketsOldestFirst(), "the request rolled out of the window");
        counts.add(1, 1);
        counts.closeBucket(2);
        assertArrayEquals(new int[] { 0, 1 }, counts.bucketsOldestFirst(), "a new ring counts only what is new");
    }
}
