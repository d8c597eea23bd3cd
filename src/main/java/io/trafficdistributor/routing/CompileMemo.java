package io.trafficdistributor.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.health.ProbeSettings;
import io.trafficdistributor.health.ProbeTarget;
import io.trafficdistributor.service.HealthCheckDocument;
import io.trafficdistributor.service.StickySessionDocument;
import io.trafficdistributor.service.TimeoutsDocument;

/**
 * The runtime values one load of the whole table compiles over and over, remembered by the stored value they come
 * from: a hundred thousand distributors mostly repeat a few backend URLs and settings, and parsing each URL again
 * and interning the result ({@link SharedValues}) was a third of the load's compiling. What it hands out is what
 * {@link DistributorCompiler} would make without it (the shared instance), so a memo changes nothing but the cost.
 * One thread only, and one load: it lets go of nothing, so it lives as long as the load.
 */
final class CompileMemo {

    /** Remembers nothing: a single change compiles each value once anyway. */
    static final CompileMemo NONE = new CompileMemo(false);

    private final Map<String, ProbeTarget> targets;
    private final Map<HealthCheckDocument, ProbeSettings> probes;
    private final Map<TimeoutsDocument, Timeouts> timeouts;
    private final Map<StickySessionDocument, StickyCookie> cookies;
    private final Map<String, String> names;
    private final Map<Integer, SlowStart> slowStarts;

    private CompileMemo(boolean remember) {
        targets = remember ? new HashMap<>() : null;
        probes = remember ? new HashMap<>() : null;
        timeouts = remember ? new HashMap<>() : null;
        cookies = remember ? new HashMap<>() : null;
        names = remember ? new HashMap<>() : null;
        slowStarts = remember ? new HashMap<>() : null;
    }

    /** A memo for one load of the whole table, on the thread that compiles it. */
    static CompileMemo forLoad() {
        return new CompileMemo(true);
    }

    /** Where a backend URL points, shared ({@link SharedValues}). */
    ProbeTarget target(String url) {
        return remembered(targets, url, u -> SharedValues.of(CompiledBackend.target(u)));
    }

    ProbeSettings probeSettings(HealthCheckDocument check) {
        return remembered(probes, check, DistributorCompiler::probeSettings);
    }

    Timeouts timeouts(TimeoutsDocument stored) {
        return remembered(timeouts, stored, DistributorCompiler::timeouts);
    }

    StickyCookie stickyCookie(StickySessionDocument stored) {
        return remembered(cookies, stored, DistributorCompiler::stickyCookie);
    }

    /** A backend's name, shared ({@link SharedValues#name}). */
    String name(String name) {
        return remembered(names, name, SharedValues::name);
    }

    SlowStart slowStart(int seconds) {
        return remembered(slowStarts, seconds, s -> SharedValues.of(SlowStart.ofSeconds(s)));
    }

    private static <K, V> V remembered(Map<K, V> memo, K key, Function<K, V> make) {
        if (memo == null) {
            return make.apply(key);
        }
        V value = memo.get(key);
        if (value == null) {
            value = make.apply(key); // a failure (a URL that does not parse) is thrown and not remembered
            memo.put(key, value);
        }
        return value;
    }
}
