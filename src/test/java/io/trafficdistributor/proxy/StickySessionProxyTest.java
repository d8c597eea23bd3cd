package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.patch;
import static io.trafficdistributor.proxy.ProxyTestSupport.patchBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

@QuarkusTest
class StickySessionProxyTest {

    static TestBackend a;
    static TestBackend b;
    static TestBackend c;

    @BeforeAll
    static void startBackends() {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
        c.close();
    }

    /** A client: the cookie it holds ({@code name=value}), updated from every Set-Cookie it receives. */
    static final class Client {
        final String host;
        final String cookieName;
        String cookie;

        Client(String host, String cookieName) {
            this.host = host;
            this.cookieName = cookieName;
        }

        /** One GET, which must succeed; returns the backend that answered. */
        String get() {
            HttpResponse<String> response = ProxyClient.get(host, "/", cookie);
            assertEquals(200, response.statusCode(), response.body());
            ProxyClient.cookie(response, cookieName).ifPresent(value -> cookie = value);
            return response.body();
        }
    }

    private static String sticky(String name, String host, String backends) {
        return """
                {"name":"%s","hostnames":["%s"],"routing":"STICKY_SESSIONS","backends":[%s]}"""
                .formatted(name, host, backends);
    }

    /** A new client that ends up pinned to {@code wanted} (new clients are spread by weight, so a few tries do it). */
    private static Client clientPinnedTo(String host, String wanted) {
        for (int i = 0; i < 20; i++) {
            Client client = new Client(host, "TD_ROUTE");
            if (client.get().equals(wanted)) {
                assertTrue(client.cookie != null, "a new client got no cookie");
                return client;
            }
        }
        throw new AssertionError("no new client was assigned to " + wanted);
    }

    @Test
    void aClientStaysOnItsBackendFor50Requests() {
        create(sticky("st-pin", "stpin.test", backend(a, 1) + "," + backend(b, 1) + "," + backend(c, 1)));
        Set<String> firstBackends = new HashSet<>();
        for (int clients = 0; clients < 6; clients++) {
            Client client = new Client("stpin.test", "TD_ROUTE");
            String first = client.get();
            firstBackends.add(first);
            assertTrue(client.cookie != null, "a new client got no cookie");
            for (int i = 0; i < 50; i++) {
                assertEquals(first, client.get(), "request " + i + " of a client pinned to " + first);
            }
        }
        assertEquals(Set.of("a", "b", "c"), firstBackends, "new clients are spread by weight");
    }

    @Test
    void cookieAttributesFollowTheConfiguration() {
        create("""
                {"name":"st-attr","hostnames":["stattr.test"],"routing":"STICKY_SESSIONS","backends":[%s,%s],
                 "stickySession":{"cookieName":"SHOP_ROUTE","maxAgeSeconds":600,"sameSite":"Strict"}}"""
                .formatted(backend(a, 1), backend(b, 1)));
        HttpResponse<String> response = ProxyClient.get("stattr.test", "/");
        assertEquals(200, response.statusCode());
        String header = requiredSetCookie(response, "SHOP_ROUTE");
        Set<String> attributes = attributes(header);
        assertTrue(attributes.contains("path=/"), header);
        assertTrue(attributes.contains("httponly"), header);
        assertTrue(attributes.contains("samesite=strict"), header);
        assertTrue(attributes.contains("max-age=600"), header);
        assertFalse(attributes.contains("secure"), "Secure over plain HTTP: " + header);
        assertNoAddress(header);

        create("""
                {"name":"st-attr2","hostnames":["stattr2.test"],"routing":"STICKY_SESSIONS","backends":[%s,%s],
                 "stickySession":{"sameSite":"None"}}"""
                .formatted(backend(a, 1), backend(b, 1)));
        HttpResponse<String> second = ProxyClient.get("stattr2.test", "/");
        String defaults = requiredSetCookie(second, "TD_ROUTE");
        Set<String> defaultAttributes = attributes(defaults);
        assertTrue(defaultAttributes.contains("path=/"), defaults);
        assertTrue(defaultAttributes.contains("httponly"), defaults);
        assertTrue(defaultAttributes.contains("samesite=none"), defaults);
        assertTrue(defaultAttributes.stream().noneMatch(attr -> attr.startsWith("max-age") || attr.startsWith("expires")),
                "a session cookie has no Max-Age or Expires: " + defaults);
        assertFalse(defaultAttributes.contains("secure"), defaults);
        assertNoAddress(defaults);
    }

    @Test
    void defaultSameSiteIsLax() {
        create(sticky("st-lax", "stlax.test", backend(a, 1)));
        HttpResponse<String> response = ProxyClient.get("stlax.test", "/");
        String header = requiredSetCookie(response, "TD_ROUTE");
        assertTrue(attributes(header).contains("samesite=lax"), header);
    }

    /** The Set-Cookie header for {@code cookieName}; fails the test when the response sets no such cookie. */
    private static String requiredSetCookie(HttpResponse<?> response, String cookieName) {
        return ProxyClient.setCookie(response, cookieName).orElseThrow(() -> new AssertionError(
                "no " + cookieName + " cookie in " + response.headers().allValues("set-cookie")));
    }

    private static Set<String> attributes(String setCookie) {
        Set<String> attributes = new HashSet<>();
        String[] parts = setCookie.split(";");
        for (int i = 1; i < parts.length; i++) {
            attributes.add(parts[i].trim().toLowerCase(java.util.Locale.ROOT));
        }
        return attributes;
    }

    private static void assertNoAddress(String setCookie) {
        String value = setCookie.split(";", 2)[0];
        assertFalse(value.contains("127.0.0.1"), setCookie);
        assertFalse(value.contains("localhost"), setCookie);
        for (TestBackend backend : new TestBackend[] { a, b, c }) {
            assertFalse(value.contains(Integer.toString(backend.port())), setCookie);
            assertFalse(value.contains(backend.url()), setCookie);
        }
    }

    @Test
    void aClientPinnedToARemovedBackendIsRepinnedWithoutAnError() {
        create(sticky("st-removed", "stremoved.test", backend(a, 1) + "," + backend(b, 1)));
        Client client = clientPinnedTo("stremoved.test", "a");
        String pinnedToA = client.cookie;
        patch("st-removed", "{\"backends\":[" + backend(b, 1) + "," + backend(c, 1) + "]}");

        String after = client.get();
        assertNotEquals("a", after);
        assertNotEquals(pinnedToA, client.cookie, "the cookie was not rewritten");
        for (int i = 0; i < 20; i++) {
            assertEquals(after, client.get(), "the new pin does not hold");
        }
    }

    @Test
    void aClientPinnedToAStoppedServerIsRepinnedWithoutAnError() {
        TestBackend d = TestBackend.start("d");
        TestBackend e = TestBackend.start("e");
        try {
            create(sticky("st-stopped", "ststopped.test", backend(d, 1) + "," + backend(e, 1)));
            Client client = clientPinnedTo("ststopped.test", "d");
            String pinnedToD = client.cookie;
            assertEquals("d", client.get());
            d.stop();

            assertEquals("e", client.get());
            assertNotEquals(pinnedToD, client.cookie, "the cookie was not rewritten");
            for (int i = 0; i < 20; i++) {
                assertEquals("e", client.get());
            }
        } finally {
            d.close();
            e.close();
        }
    }

    @Test
    void weightZeroDrainsKeepsPinnedClientsAndSendsNewOnesElsewhere() {
        create(sticky("st-drain", "stdrain.test", backend(a, 1) + "," + backend(b, 1)));
        Client onA = clientPinnedTo("stdrain.test", "a");
        Client onB = clientPinnedTo("stdrain.test", "b");
        patchBackend("st-drain", "a", "{\"weight\":0}");

        for (int i = 0; i < 20; i++) {
            assertEquals("a", onA.get(), "a drained backend lost a pinned client");
            assertEquals("b", onB.get());
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("b", new Client("stdrain.test", "TD_ROUTE").get(), "a new client went to the drained backend");
        }
    }
}
