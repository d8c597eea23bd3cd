package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.health.ProbeTarget;

/** A backend URL parsed once into where traffic and probes go; the sticky token derived once. */
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
        CompiledBackend backend = new CompiledBackend(0, "d", "b", 1, target, null);
        assertEquals("/shop/cart?id=1", backend.uriFor("/cart?id=1"));
        CompiledBackend bare = new CompiledBackend(0, "d", "b", 1, CompiledBackend.target("http://app.test"), null);
        assertEquals("/cart", bare.uriFor("/cart"));
    }

    @Test
    void anIpv6LiteralWithoutItsBrackets() {
        ProbeTarget target = CompiledBackend.target("http://[::1]:9000/x");
        assertEquals("::1", target.host());
        assertEquals(9000, target.port());
        assertEquals("/x", target.basePath());
    }

    @Test
    void theStickyTokenNamesDistributorAndBackendNotTheAddress() {
        ProbeTarget one = CompiledBackend.target("http://10.0.0.5:8080");
        ProbeTarget other = CompiledBackend.target("http://10.0.0.6:8080");
        String token = new CompiledBackend(0, "shop", "blue", 1, one, null).stickyToken();
        assertEquals(token, new CompiledBackend(3, "shop", "blue", 7, other, null).stickyToken());
        assertNotEquals(token, new CompiledBackend(0, "shop", "green", 1, one, null).stickyToken());
        assertNotEquals(token, new CompiledBackend(0, "blog", "blue", 1, one, null).stickyToken());
        assertFalse(token.contains("10.0.0.5"));
    }
}
