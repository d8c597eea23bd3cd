package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.domain.SameSite;
import io.trafficdistributor.health.ProbeTarget;
import io.trafficdistributor.service.HealthCheckDocument;
import io.trafficdistributor.service.StickySessionDocument;
import io.trafficdistributor.service.TimeoutsDocument;

/** A load's memo hands out exactly the shared values the compile step makes without it. */
class CompileMemoTest {

    @Test
    void theSameSharedValuesAsWithoutTheMemo() {
        CompileMemo memo = CompileMemo.forLoad();
        ProbeTarget target = memo.target("http://10.0.0.5:8080/app/");
        assertSame(target, memo.target("http://10.0.0.5:8080/app/"));
        assertSame(SharedValues.of(CompiledBackend.target("http://10.0.0.5:8080/app/")), target);
        assertEquals("/app", target.basePath());
        assertEquals(8080, target.port());

        HealthCheckDocument check = new HealthCheckDocument(true, HealthCheckType.HTTP, "/health", "200-299", 5, 2000, 2, 3);
        assertSame(DistributorCompiler.probeSettings(check), memo.probeSettings(check));
        assertSame(memo.probeSettings(check),
                memo.probeSettings(new HealthCheckDocument(true, HealthCheckType.HTTP, "/health", "200-299", 5, 2000, 2, 3)));
        TimeoutsDocument timeouts = new TimeoutsDocument(3000, 60_000, null);
        assertSame(DistributorCompiler.timeouts(timeouts), memo.timeouts(timeouts));
        StickySessionDocument cookie = new StickySessionDocument("ROUTE", 60, SameSite.Strict);
        assertSame(DistributorCompiler.stickyCookie(cookie), memo.stickyCookie(cookie));

        String name = new String("blue".toCharArray()); // equal to the literal, not the same object
        assertSame(SharedValues.name("blue"), memo.name(name));
        assertSame(memo.name("blue"), memo.name(new String("blue".toCharArray())));
        assertSame(SharedValues.of(SlowStart.ofSeconds(30)), memo.slowStart(30));
        assertSame(memo.slowStart(30), memo.slowStart(30));
        assertEquals(SlowStart.ofSeconds(0), memo.slowStart(0));
        assertEquals(SlowStart.ofSeconds(30), CompileMemo.NONE.slowStart(30));
    }

    @Test
    void differentStoredValuesGetTheirOwn() {
        CompileMemo memo = CompileMemo.forLoad();
        assertEquals(443, memo.target("https://green.example.net").port());
        assertEquals(80, memo.target("http://green.example.net").port());
        assertEquals(4, memo.probeSettings(new HealthCheckDocument(true, HealthCheckType.TCP, "/", "200-399", 5, 2000, 2, 4))
                .unhealthyThreshold());
        assertEquals(3, memo.probeSettings(new HealthCheckDocument(true, HealthCheckType.TCP, "/", "200-399", 5, 2000, 2, 3))
                .unhealthyThreshold());
    }

    @Test
    void aUrlThatDoesNotParseFailsEachTimeAndIsNotRemembered() {
        CompileMemo memo = CompileMemo.forLoad();
        assertThrows(IllegalArgumentException.class, () -> memo.target("http://bad host/"));
        assertThrows(IllegalArgumentException.class, () -> memo.target("http://bad host/"));
        assertThrows(IllegalArgumentException.class, () -> CompileMemo.NONE.target("http://bad host/"));
    }
}
