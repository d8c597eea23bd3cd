package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestRingTest {

    @Test
    void keepsTheLastBucketsOldestFirst() {
        RequestRing ring = new RequestRing(3);
        assertArrayEquals(new int[] { 0, 0, 0 }, ring.oldestFirst());
        ring.add(5);
        assertArrayEquals(new int[] { 0, 0, 5 }, ring.oldestFirst());
        ring.add(7);
        ring.add(9);
        ring.add(11);
        assertArrayEquals(new int[] { 7, 9, 11 }, ring.oldestFirst());
    }

    @Test
    void isIdleOnceEveryBucketWithRequestsHasRolledOut() {
        RequestRing ring = new RequestRing(2);
        ring.add(1);
        assertFalse(ring.idle());
        ring.add(0);
        assertFalse(ring.idle());
        ring.add(0);
        assertTrue(ring.idle());
    }

    @Test
    void aNegativeOrHugeGrowthIsClamped() {
        RequestRing ring = new RequestRing(2);
        ring.add(-3);
        ring.add(Long.MAX_VALUE);
        assertArrayEquals(new int[] { 0, Integer.MAX_VALUE }, ring.oldestFirst());
    }
}
