package io.trafficdistributor.balancing;

import java.util.concurrent.TimeUnit;

/**
 * Slow start (DESIGN §8): a backend that has just become available again, or was just added, takes a part of its
 * weight that grows linearly from a tenth to all of it over the window, so that a cold cache is not hit with a full
 * share at once. Computed from the time alone ({@link System#nanoTime()}, monotonic, so a wall-clock step neither
 * stalls nor skips a ramp): no per-request state, nothing to rebuild as the part grows.
 *
 * @param windowNanos how long the ramp lasts; 0 turns slow start off
 */
public record SlowStart(long windowNanos) {

    /** The part of its weight a backend takes when it is not ramping, in thousandths. */
    public static final int FULL = 1000;
    /** The part a backend takes the moment its ramp starts: a tenth. */
    public static final int FIRST = FULL / 10;
    /** An {@link BalancedBackend#availableSince()} that starts no ramp: the backend has always been available. */
    public static final long ALWAYS = Long.MIN_VALUE;

    public static final SlowStart OFF = new SlowStart(0);

    public SlowStart {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("a negative slow-start window: " + windowNanos);
        }
    }

    public static SlowStart ofSeconds(int seconds) {
        return seconds == 0 ? OFF : new SlowStart(TimeUnit.SECONDS.toNanos(seconds));
    }

    public boolean on() {
        return windowNanos > 0;
    }

    /**
     * The part of its weight a backend available since {@code since} takes at {@code now} (both
     * {@link System#nanoTime()} values), in thousandths: {@link #FIRST} at {@code since}, growing linearly to
     * {@link #FULL} at the end of the window and after; {@link #FULL} when off or {@code since} is {@link #ALWAYS}.
     */
    public int permille(long since, long now) {
        if (windowNanos == 0 || since == ALWAYS) {
            return FULL;
        }
        long elapsed = now - since;
        if (elapsed >= windowNanos) {
            return FULL;
        }
        if (elapsed <= 0) {
            return FIRST;
        }
        return FIRST + (int) ((FULL - FIRST) * elapsed / windowNanos);
    }

    /** The part of its weight {@code backend} takes at {@code now}; its availability is not read when off. */
    int permille(BalancedBackend backend, long now) {
        return windowNanos == 0 ? FULL : permille(backend.availableSince(), now);
    }
}
