package io.trafficdistributor.ops;

import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.CapturedLog;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** td.proxy.access-log (on in the test profile): one JSON line per proxied request. */
@QuarkusTest
class AccessLogTest {

    static TestBackend backend;
    static CapturedLog log;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("logged");
        log = new CapturedLog("td.access");
    }

    @AfterAll
    static void stop() {
        log.close();
        backend.close();
    }

    @Test
    void oneJsonLinePerRequest() throws Exception {
        json("""
                {"name":"access-log","hostnames":["access-log.test"],"backends":[{"name":"only","url":"%s"}]}"""
                .formatted(backend.url())).post("/api/v1/distributors").then().statusCode(201);
        assertEquals(200, ProxyClient.get("access-log.test", "/orders?id=1").statusCode());

        await().until(() -> log.lines.stream().anyMatch(l -> l.contains("\"access-log\"")));
        JsonNode line = new ObjectMapper().readTree(log.lines.stream().filter(l -> l.contains("\"access-log\"")).findFirst().orElseThrow());
        assertEquals("access-log", line.get("distributor").asText());
        assertEquals("only", line.get("backend").asText());
        assertEquals("GET", line.get("method").asText());
        assertEquals("/orders", line.get("path").asText(), "the path only: query strings may carry secrets");
        assertEquals(200, line.get("status").asInt());
        assertEquals(1, line.get("attempts").asInt());
        assertEquals("127.0.0.1", line.get("client").asText());
        assertEquals("logged".length(), line.get("bytesOut").asLong(), "response body bytes");
        assertEquals(0, line.get("bytesIn").asLong(), "request body bytes: a GET has none");
        assertTrue(line.get("durationMillis").asDouble() >= 0);
        assertTrue(line.get("time").asText().endsWith("Z"));
    }
}
