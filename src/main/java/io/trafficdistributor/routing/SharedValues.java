package io.trafficdistributor.routing;

import com.github.benmanes.caffeine.cache.Interner;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.health.ProbeSettings;
import io.trafficdistributor.health.ProbeTarget;

/**
 * One instance of each equal runtime value in use, for {@link DistributorCompiler}: a hundred thousand distributors
 * mostly carry the same timeouts, cookie, health check and backend URLs, and compiled each on their own they held
 * a copy of each (a parsed backend address alone is about 150 bytes). Weak: a value no compiled distributor holds
 * any more is collected.
 */
final class SharedValues {

    private static final Interner<Timeouts> TIMEOUTS = Interner.newWeakInterner();
    private static final Interner<StickyCookie> COOKIES = Interner.newWeakInterner();
    private static final Interner<ProbeSettings> PROBES = Interner.newWeakInterner();
    private static final Interner<ProbeTarget> TARGETS = Interner.newWeakInterner();
    private static final Interner<SlowStart> SLOW_STARTS = Interner.newWeakInterner();
    private static final Interner<String> NAMES = Interner.newWeakInterner();

    private SharedValues() {
    }

    static Timeouts of(Timeouts value) {
        return TIMEOUTS.intern(value);
    }

    static StickyCookie of(StickyCookie value) {
        return COOKIES.intern(value);
    }

    static ProbeSettings of(ProbeSettings value) {
        return PROBES.intern(value);
    }

    static ProbeTarget of(ProbeTarget value) {
        return TARGETS.intern(value);
    }

    static SlowStart of(SlowStart value) {
        return SLOW_STARTS.intern(value);
    }

    /** A backend's name: the same few ("blue", "green", "primary") recur across distributors. */
    static String name(String value) {
        return NAMES.intern(value);
    }
}
