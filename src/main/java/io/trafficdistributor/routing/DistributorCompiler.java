package io.trafficdistributor.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.health.ExpectedStatuses;
import io.trafficdistributor.health.HealthRegistry;
import io.trafficdistributor.health.ProbeSettings;
import io.trafficdistributor.health.ProbeTarget;
import io.trafficdistributor.service.BackendDocument;
import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.HealthCheckDocument;
import io.trafficdistributor.service.StickySessionDocument;
import io.trafficdistributor.service.TimeoutsDocument;

/**
 * Routing's compile step: the one bridge from a stored distributor (the API's document) to the runtime values
 * the traffic side reads (timeouts, cookie settings, probe settings, parsed backend addresses). Nothing past
 * this class sees a document.
 */
final class DistributorCompiler {

    private DistributorCompiler() {
    }

    /**
     * Compiles a stored distributor and tracks the health of its backends; a backend whose URL and probe settings
     * did not change keeps the health it had. Each backend's sticky cookie value is computed here, once, so a
     * request verifies a cookie by one map lookup of the exact value. Equal settings values are shared between
     * distributors ({@link SharedValues}).
     *
     * @param previous the distributor's compiled form this one replaces, or null: which backends start a slow-start
     *                 ramp, and which go on with theirs, depends on it ({@link RampStarts})
     */
    static CompiledDistributor compile(DistributorDocument definition, CompiledDistributor previous,
            HealthRegistry health, StickyTokens stickyTokens) {
        return compile(definition, previous, health, stickyTokens, CompileMemo.NONE);
    }

    /** The same, with the values a load of the whole table has compiled already taken from {@code memo}. */
    static CompiledDistributor compile(DistributorDocument definition, CompiledDistributor previous,
            HealthRegistry health, StickyTokens stickyTokens, CompileMemo memo) {
        String name = definition.name();
        boolean running = previous != null && Objects.equals(previous.id(), definition.id());
        long now = System.nanoTime();
        List<BackendDocument> stored = definition.backends();
        ProbeSettings probe = memo.probeSettings(definition.healthCheck());
        // Every URL parsed before any health is tracked: a failure here leaves health as it was.
        List<ProbeTarget> targets = new ArrayList<>(stored.size());
        for (BackendDocument b : stored) {
            targets.add(memo.target(b.url()));
        }
        // Only sticky sessions read the tokens: an HMAC per backend is not worth computing (nor keeping) otherwise.
        boolean sticky = definition.routing() == RoutingMethod.STICKY_SESSIONS;
        List<CompiledBackend> backends = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            BackendDocument b = stored.get(i);
            String backendName = memo.name(b.name());
            BackendHealth tracked = health.track(name, backendName, targets.get(i), probe, definition.enabled());
            long rampFrom = RampStarts.rampFrom(running, running ? previous.backend(backendName) : null, tracked, now);
            backends.add(new CompiledBackend(i, backendName, b.weight(), targets.get(i),
                    sticky ? stickyTokens.token(name, backendName) : null, tracked, rampFrom));
        }
        return new CompiledDistributor(definition.id(), name, definition.version(), definition.hostnames(),
                definition.routing(), definition.enabled(), definition.passHostHeader(),
                memo.timeouts(definition.timeouts()), memo.stickyCookie(definition.stickySession()), backends,
                definition.tls().redirectHttp(), definition.tls().hstsMaxAgeSeconds(),
                memo.slowStart(definition.slowStartSeconds()));
    }

    static ProbeSettings probeSettings(HealthCheckDocument check) {
        return SharedValues.of(new ProbeSettings(check.enabled(), check.type(), check.path(),
                ExpectedStatuses.parse(check.expectedStatuses()), check.intervalSeconds(), check.timeoutMillis(),
                check.healthyThreshold(), check.unhealthyThreshold()));
    }

    static Timeouts timeouts(TimeoutsDocument timeouts) {
        return SharedValues.of(new Timeouts(timeouts.connectMillis(), timeouts.responseMillis(), timeouts.attemptMillis()));
    }

    static StickyCookie stickyCookie(StickySessionDocument sticky) {
        return SharedValues.of(new StickyCookie(sticky.cookieName(), sticky.maxAgeSeconds(), sticky.sameSite()));
    }
}
