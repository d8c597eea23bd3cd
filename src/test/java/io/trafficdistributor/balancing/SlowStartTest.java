package io.trafficdistributor.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The ramp on its own: a tenth of the weight at the start, linear to all of it at the end of the window. */
class SlowStartTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final SlowStart TEN_SECONDS = SlowStart.ofSeconds(10);
    /** nanoTime values may be negative: the ramp must not care. */
    static final long T0 = -5 * SECOND;

    @Test
    void aTenthAtTheStartGrowingLinearlyToAllAtTheEnd() {
        assertEquals(100, TEN_SECONDS.permille(T0, T0));
        assertEquals(190, TEN_SECONDS.permille(T0, T0 + SECOND));
        assertEquals(550, TEN_SECONDS.permille(T0, T0 + 5 * SECOND));
        assertEquals(999, TEN_SECONDS.permille(T0, T0 + 10 * SECOND - 1_000_000));
        assertEquals(910, TEN_SECONDS.permille(T0, T0 + 9 * SECOND));
        assertEquals(1000, TEN_SECONDS.permille(T0, T0 + 10 * SECOND));
        assertEquals(1000, TEN_SECONDS.permille(T0, T0 + 3600 * SECOND));
    }

    @Test
    void aBackendThatNeverRampedTakesAll() {
        assertEquals(1000, TEN_SECONDS.permille(SlowStart.ALWAYS, T0));
        assertEquals(1000, TEN_SECONDS.permille(SlowStart.ALWAYS, Long.MAX_VALUE));
    }

    @Test
    void offTakesAllAtOnce() {
        assertFalse(SlowStart.ofSeconds(0).on());
        assertEquals(SlowStart.OFF, SlowStart.ofSeconds(0));
        assertEquals(1000, SlowStart.OFF.permille(T0, T0));
        assertTrue(TEN_SECONDS.on());
    }

    @Test
    void aStartAfterNowIsTheStart() {
        assertEquals(100, TEN_SECONDS.permille(T0 + SECOND, T0));
    }

    @Test
    void aNegativeWindowIsABug() {
        assertThrows(IllegalArgumentException.class, () -> new SlowStart(-1));
    }
}
