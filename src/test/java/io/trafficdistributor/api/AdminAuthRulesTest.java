package io.trafficdistributor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which admin paths need the token, and how the bearer token is read from the header. */
class AdminAuthRulesTest {

    @Test
    void theApiAndTheManagementRoutesNeedTheTokenHealthDoesNot() {
        for (String path : new String[] { "/api", "/api/v1/distributors", "/q", "/q/metrics", "/q/openapi",
                "/q/swagger-ui", "/q/swagger-ui/index.html", "//q//metrics", "/q/healthz", "/q/health-x",
                "/%61pi/v1/distributors", "/%71/metrics", "/q%2Fmetrics", "/%2Fapi" }) {
            assertTrue(AdminAuth.needsToken(path), path);
        }
        for (String path : new String[] { "/", "/index.html", "/q/health", "/q/health/", "/q/health/ready",
                "/q/health/live", "//q/health/started", "/apix", "/query" }) {
            assertFalse(AdminAuth.needsToken(path), path);
        }
    }

    @Test
    void escapesAreDecodedAsTheResourcesSeeThem() {
        assertEquals("/api/v1", AdminAuth.percentDecoded("/%61pi/v1"));
        assertEquals("/ä/x", AdminAuth.percentDecoded("/%C3%A4/x"));
        assertEquals("/a%zz%4", AdminAuth.percentDecoded("/a%zz%4"));
    }

    @Test
    void theSchemeIsCaseInsensitiveAndSeparatedBySpaces() {
        assertEquals("t0k", AdminAuth.bearerToken("Bearer t0k"));
        assertEquals("t0k", AdminAuth.bearerToken("bearer t0k"));
        assertEquals("t0k", AdminAuth.bearerToken("BEARER t0k"));
        assertEquals("t0k", AdminAuth.bearerToken("Bearer   t0k"));
        assertEquals("t0k", AdminAuth.bearerToken(" \tBearer t0k \t"));
    }

    @Test
    void anythingElseIsNoBearerToken() {
        assertNull(AdminAuth.bearerToken(null));
        assertNull(AdminAuth.bearerToken(""));
        assertNull(AdminAuth.bearerToken("Bearer"));
        assertNull(AdminAuth.bearerToken("Bearer "));
        assertNull(AdminAuth.bearerToken("Bearert0k"));
        assertNull(AdminAuth.bearerToken("Bearer\tt0k"));
        assertNull(AdminAuth.bearerToken("Basic dDp0"));
        assertNull(AdminAuth.bearerToken("Bearers t0k"));
        assertNull(AdminAuth.bearerToken("t0k"));
    }
}
