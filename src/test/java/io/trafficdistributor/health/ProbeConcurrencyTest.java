package io.trafficdistributor.health;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.TestBackend;

/** Thousands of backends must not all be probed at once: the concurrency limit holds. */
@QuarkusTest
class ProbeConcurrencyTest {

    static TestBackend slow;

    @Inject
    Prober prober;

    @ConfigProperty(name = "td.health.max-concurrent-probes")
    int limit;

    @BeforeAll
    static void start() {
        slow = TestBackend.start("slow");
        slow.healthDelayMillis(400);
    }

    @AfterAll
    static void stop() {
        slow.close();
    }

    @Test
    void aThousandBackendsAreProbedWithNeverMoreInFlightThanTheLimit() {
        List<String> names = new ArrayList<>();
        for (int d = 0; d < 16; d++) {
            String name = "probe-many-" + d;
            names.add(name);
            int first = d * 63;
            String backends = String.join(",", IntStream.range(first, first + 63)
                    .mapToObj(i -> "{\"name\":\"b" + i + "\",\"url\":\"" + slow.url() + "/b" + i + "\"}").toList());
            json("""
                    {"name":"%s","hostnames":["%s.test"],"backends":[%s],
                     "healthCheck":{"path":"/health","intervalSeconds":2,"timeoutMillis":1500}}"""
                    .formatted(name, name, backends)).post("/api/v1/distributors").then().statusCode(201);
        }
        try {
            // 1,008 backends, each health answer taking 400 ms: every one is probed, the limit is reached, never passed.
            await().atMost(Duration.ofSeconds(20)).until(() -> names.stream().allMatch(this::allProbed));
            assertTrue(prober.mostInFlight() <= limit, "most in flight " + prober.mostInFlight() + " > " + limit);
            assertTrue(prober.mostInFlight() >= limit / 2, "the limit was never approached: " + prober.mostInFlight());
        } finally {
            names.forEach(n -> api().delete("/api/v1/distributors/" + n).then().statusCode(204));
        }
    }

    private boolean allProbed(String distributor) {
        List<Object> lastChecks = api().get("/api/v1/distributors/" + distributor + "/status").then().statusCode(200)
                .extract().jsonPath().getList("backends.lastCheckAt");
        return lastChecks.stream().allMatch(at -> at != null);
    }
}
