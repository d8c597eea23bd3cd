package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/** The header filter the forwarder applies to every header in both directions. */
class HopByHopTest {

    @Test
    void theStandardHopByHopNamesInAnyCase() {
        for (String name : new String[] { "Connection", "KEEP-ALIVE", "proxy-connection", "Proxy-Authenticate",
                "proxy-authorization", "TE", "Trailer", "Upgrade", "Transfer-Encoding" }) {
            assertTrue(HopByHop.is(name), name);
        }
        for (String name : new String[] { "Content-Length", "Host", "Cookie", "X-Forwarded-For", "Te-Custom", "Trailers", "" }) {
            assertFalse(HopByHop.is(name), name);
        }
    }

    @Test
    void namesListedInConnectionAreDroppedWhateverTheSpacingAndCase() {
        String connection = " keep-alive ,\tX-Secret,x-other , ";
        assertTrue(HopByHop.dropped("x-secret", connection));
        assertTrue(HopByHop.dropped("X-OTHER", connection));
        assertFalse(HopByHop.dropped("X-Secre", connection), "a prefix of a listed name is not listed");
        assertFalse(HopByHop.dropped("X-Secrets", connection));
        assertFalse(HopByHop.dropped("Accept", connection));
        assertFalse(HopByHop.dropped("Accept", null));
        assertTrue(HopByHop.dropped("Upgrade", null));
    }

    @Test
    void severalConnectionLinesCountAsOneList() {
        HttpHeaders headers = new DefaultHttpHeaders();
        assertNull(HopByHop.connectionTokens(headers));
        headers.add("Connection", "x-one");
        assertEquals("x-one", HopByHop.connectionTokens(headers));
        headers.add("connection", "X-Two");
        assertTrue(HopByHop.dropped("x-two", HopByHop.connectionTokens(headers)));
        assertTrue(HopByHop.dropped("X-One", HopByHop.connectionTokens(headers)));
    }

    @Test
    void onlyAConnectionValueNamingOtherHeadersNeedsTheirCheck() {
        assertFalse(HopByHop.listsOtherNames("keep-alive"));
        assertFalse(HopByHop.listsOtherNames(" Close "));
        assertFalse(HopByHop.listsOtherNames("Upgrade, keep-alive,,"));
        assertTrue(HopByHop.listsOtherNames("keep-alive, X-Secret"));
        assertTrue(HopByHop.listsOtherNames("closed"));
    }
}
