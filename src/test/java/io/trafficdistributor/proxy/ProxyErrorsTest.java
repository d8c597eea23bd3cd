package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.assertProxyError;
import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.raw;
import static io.trafficdistributor.support.Api.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** The responses the proxy writes itself, as a client sees them. */
@QuarkusTest
class ProxyErrorsTest {

    static TestBackend ok;
    static TestBackend hanging;

    @BeforeAll
    static void startBackends() {
        ok = TestBackend.start("ok");
        hanging = TestBackend.start("hanging");
        hanging.hang(true);
    }

    @AfterAll
    static void stopBackends() {
        ok.close();
        hanging.close();
    }

    @Test
    void aRequestWithoutHostIs400() {
        String response = raw("GET / HTTP/1.0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.0 400") || response.startsWith("HTTP/1.1 400"), response);
        String lower = response.toLowerCase(java.util.Locale.ROOT);
        assertTrue(lower.contains("content-type: text/plain"), response);
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertFalse(body.isBlank(), response);
        assertFalse(body.contains("Exception"), response);
        assertTrue(body.toLowerCase(java.util.Locale.ROOT).contains("host"), body);
    }

    @Test
    void anUnknownHostIs404() {
        HttpResponse<String> response = ProxyClient.get("nobody-serves-this.test", "/");
        assertProxyError(response, 404, null);
        assertTrue(response.body().contains("nobody-serves-this.test"), response.body());
    }

    @Test
    void theAdminApiIsNotReachableThroughTheProxy() {
        HttpResponse<String> response = ProxyClient.get("localhost", "/api/v1/distributors");
        assertEquals(404, response.statusCode(), response.body());
        assertFalse(response.body().contains("\"items\""), response.body());
    }

    @Test
    void aDisabledDistributorIs503WithRetryAfter() {
        create("""
                {"name":"err-disabled","hostnames":["errdisabled.test"],"enabled":false,"backends":[%s]}"""
                .formatted(backend(ok, 1)));
        ok.clearReceived();
        HttpResponse<String> response = ProxyClient.get("errdisabled.test", "/");
        assertProxyError(response, 503, "err-disabled", ok);
        String retryAfter = response.headers().firstValue("retry-after").orElseThrow(() -> new AssertionError("no Retry-After"));
        assertTrue(Integer.parseInt(retryAfter) > 0, retryAfter);
        assertTrue(ok.received().isEmpty(), "a disabled distributor forwarded a request");
    }

    @Test
    void everyBackendRefusingConnectionsIs502() {
        int port1 = TestBackend.freePort();
        int port2 = TestBackend.freePort();
        // Without probes, so the backends stay UNKNOWN (available) and both requests show the failed attempts' 502;
        // probes finishing first would make them DOWN, and all-DOWN is the 503 of FailoverTest.
        create("""
                {"name":"err-refused","hostnames":["errrefused.test"],"backends":[%s,%s],
                 "healthCheck":{"enabled":false}}"""
                .formatted(backend("x", "http://127.0.0.1:" + port1, 1), backend("y", "http://127.0.0.1:" + port2, 1)));
        HttpResponse<String> response = ProxyClient.get("errrefused.test", "/");
        assertProxyError(response, 502, "err-refused");
        assertFalse(response.body().contains(Integer.toString(port1)), response.body());
        assertFalse(response.body().contains(Integer.toString(port2)), response.body());

        HttpResponse<String> post = ProxyClient.send(ProxyClient.request("errrefused.test", "/")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("payload")).build());
        assertProxyError(post, 502, "err-refused");
    }

    @Test
    void aLargeUploadToBackendsThatAllRefuseIs502() {
        // Without probes, as above: a probe finishing between the two requests made the second a 503 (all DOWN).
        create("""
                {"name":"err-refused-big","hostnames":["errrefusedbig.test"],"backends":[%s],
                 "healthCheck":{"enabled":false}}"""
                .formatted(backend("x", "http://127.0.0.1:" + TestBackend.freePort(), 1)));
        byte[] body = new byte[8 * 1024 * 1024];
        HttpResponse<String> response = ProxyClient.send(ProxyClient.request("errrefusedbig.test", "/upload")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertProxyError(response, 502, "err-refused-big");
        // The client's next request (on the same pooled connection, if the proxy kept it) is answered too.
        assertProxyError(ProxyClient.get("errrefusedbig.test", "/"), 502, "err-refused-big");
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeIs504() {
        create("""
                {"name":"err-timeout","hostnames":["errtimeout.test"],"backends":[%s],
                 "timeouts":{"connectMillis":1000,"responseMillis":500}}"""
                .formatted(backend(hanging, 1)));
        long start = System.nanoTime();
        HttpResponse<String> response = ProxyClient.get("errtimeout.test", "/");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertProxyError(response, 504, "err-timeout", hanging);
        assertTrue(millis >= 400 && millis < 10_000, "answered after " + millis + " ms");
    }

    @Test
    void aClientThatHangsUpIsNotCountedAgainstTheBackendNorRetried() throws Exception {
        TestBackend second = TestBackend.start("second");
        try {
            create("""
                    {"name":"hangup","hostnames":["hangup.test"],"routing":"FAILOVER",
                     "backends":[%s,%s],"healthCheck":{"enabled":false}}""".formatted(backend(ok, 1), backend(second, 1)));
            String path = "/?delay=1000&hangup=" + System.nanoTime();
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.trafficdistributor.support.ProxyClient.port())) {
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: hangup.test\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> ok.received().stream().anyMatch(r -> r.uri().equals(path)));
            } // the client is gone before the backend answers
            Thread.sleep(1500);
            String status = api().get("/api/v1/distributors/hangup/status").then().statusCode(200).extract().asString();
            io.restassured.path.json.JsonPath json = io.restassured.path.json.JsonPath.from(status);
            assertEquals(0, json.getInt("backends[0].consecutiveFailures"), status);
            assertTrue(json.getString("backends[0].lastError") == null, status);
            assertTrue(second.received().stream().noneMatch(r -> r.uri().equals(path)),
                    "the request of a client that left was sent again to the next backend");
            // Counted as the proxy's own 4xx (NGINX's 499, "client closed request"), not as a 5xx or the backend's.
            String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("td_proxy_requests_total{backend=\"-\",distributor=\"hangup\",status=\"4xx\"} 1.0"),
                    metrics);
            assertFalse(java.util.regex.Pattern.compile("(?m)^td_proxy_requests_total\\{[^}]*distributor=\"hangup\",status=\"5xx\"} [1-9]")
                    .matcher(metrics).find(), metrics);
        } finally {
            second.close();
        }
    }
}
