package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.health.ProbeTarget;

/** A backend URL parsed once into where traffic and probes go (its sticky token: StickyTokensTest). */
class CompiledBackendTest {

    @Test
    void aPortAndNoPath() {
        ProbeTarget target = CompiledBackend.target("http://10.0.0.5:8080");
        assertEquals("10.0.0.5", target.host());
        assertEquals(8080, target.port());
        assertFalse(target.https());
        assertEquals("", target.basePath());
        assertEquals("10.0.0.5", target.address().host());
        assertEquals(8080, target.address().port());
        assertEquals("http://10.0.0.5:8080", target.url());
    }

    @Test
    void theSchemesDefaultPorts() {
        assertEquals(443, CompiledBackend.target("https://green.example.net").port());
        assertTrue(CompiledBackend.target("HTTPS://green.example.net").https());
        assertEquals(80, CompiledBackend.target("http://blue.example.net/").port());
    }

    @Test
    void aBasePathLosesItsTrailingSlashAndPrefixesRequests() {
        ProbeTarget target = CompiledBackend.target("http://app.test/shop/");
        assertEquals("/shop", target.basePath());
        CompiledBackend backend = new CompiledBackend(0, "b", 1, target, "t", null, SlowStart.ALWAYS);
        assertEquals("/shop/cart?id=1", backend.uriFor("/cart?id=1"));
        CompiledBackend bare = new CompiledBackend(0, "b", 1, CompiledBackend.target("http://app.test"), "t", null, SlowStart.ALWAYS);
        assertEquals("/cart", bare.uriFor("/cart"));
    }

    @Test
    void anIpv6LiteralWithoutItsBrackets() {
        ProbeTarget target = CompiledBackend.target("http://[::1]:9000/x");
        assertEquals("::1", target.host());
        assertEquals(9000, target.port());
        assertEquals("/x", target.basePath());
    }
}
