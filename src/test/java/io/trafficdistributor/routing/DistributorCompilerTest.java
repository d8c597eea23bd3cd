package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.domain.SameSite;
import io.trafficdistributor.health.ExpectedStatuses;
import io.trafficdistributor.health.ProbeSettings;
import io.trafficdistributor.service.HealthCheckDocument;
import io.trafficdistributor.service.StickySessionDocument;
import io.trafficdistributor.service.TimeoutsDocument;

/** The compile step maps each stored setting to the runtime value the traffic side reads. */
class DistributorCompilerTest {

    @Test
    void timeouts() {
        assertEquals(new Timeouts(3000, 60_000, null), DistributorCompiler.timeouts(new TimeoutsDocument(3000, 60_000, null)));
        assertEquals(300, DistributorCompiler.timeouts(new TimeoutsDocument(100, 1500, 300)).attemptMillis());
    }

    @Test
    void theStickyCookie() {
        StickyCookie cookie = DistributorCompiler.stickyCookie(new StickySessionDocument("ROUTE", 3600, SameSite.Strict));
        assertEquals(new StickyCookie("ROUTE", 3600, SameSite.Strict), cookie);
        assertNull(DistributorCompiler.stickyCookie(new StickySessionDocument("TD_ROUTE", null, SameSite.Lax)).maxAgeSeconds());
    }

    @Test
    void probeSettingsWithTheExpectedStatusesParsed() {
        ProbeSettings probe = DistributorCompiler.probeSettings(
                new HealthCheckDocument(true, HealthCheckType.HTTP, "/health", "200-299,302", 5, 2000, 2, 3));
        assertEquals(new ProbeSettings(true, HealthCheckType.HTTP, "/health", ExpectedStatuses.parse("200-299,302"), 5,
                2000, 2, 3), probe);
        assertTrue(probe.expectedStatuses().matches(302));
    }

    @Test
    void equalHealthChecksMakeEqualProbeSettingsSoTheirProbesAreShared() {
        HealthCheckDocument check = new HealthCheckDocument(true, HealthCheckType.TCP, "/", "200-399", 5, 2000, 2, 3);
        assertEquals(DistributorCompiler.probeSettings(check), DistributorCompiler.probeSettings(check));
        assertNotEquals(DistributorCompiler.probeSettings(check), DistributorCompiler.probeSettings(
                new HealthCheckDocument(true, HealthCheckType.TCP, "/", "200-399", 5, 2000, 2, 4)));
    }
}
