package io.trafficdistributor.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Atomic adds and volatile reads on the slots of a plain {@code long[]}: the proxy's counts keep their numbers in
 * one array per object rather than in {@code AtomicLong}s and {@code AtomicLongArray}s, each of which is one more
 * object (and cache line) for a request to reach. With 100,000 distributors most of them are not in the CPU's caches
 * when their next request comes, so each object a request touches on them is a likely cache miss.
 */
final class LongCells {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private LongCells() {
    }

    static void add(long[] cells, int index, long delta) {
        SLOT.getAndAdd(cells, index, delta);
    }

    static long get(long[] cells, int index) {
        return (long) SLOT.getVolatile(cells, index);
    }
}
