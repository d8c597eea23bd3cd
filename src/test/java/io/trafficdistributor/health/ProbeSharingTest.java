package io.trafficdistributor.health;

import static io.restassured.RestAssured.given;
import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.CapturedLog;
import io.trafficdistributor.support.TestBackend;

/**
 * Distributors whose backends have the same URL and health check share one probe: the server sees one probe
 * per interval however many distributors use it, each distributor still shows and counts the health as its
 * own, and the probe lives as long as one distributor needs it.
 */
@QuarkusTest
class ProbeSharingTest {

    static final int DISTRIBUTORS = 5;
    static final int INTERVAL_SECONDS = 2;

    static TestBackend server;

    @BeforeAll
    static void start() {
        server = TestBackend.start("shared");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void create(String name, String path) {
        json("""
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"server","url":"%s"}],
                 "healthCheck":{"path":"%s","intervalSeconds":%d,"timeoutMillis":500,"healthyThreshold":1,"unhealthyThreshold":1}}"""
                .formatted(name, name, server.url(), path, INTERVAL_SECONDS))
                .post("/api/v1/distributors").then().statusCode(201);
    }

    /** The probes of that path the server receives in that many seconds. */
    static int probesWithin(String path, int seconds) throws InterruptedException {
        int before = server.probes(path);
        Thread.sleep(seconds * 1000L);
        return server.probes(path) - before;
    }

    @Test
    void oneProbePerIntervalForAllDistributorsOfTheSameServerAndCheck() throws InterruptedException {
        List<String> names = IntStream.range(0, DISTRIBUTORS).mapToObj(i -> "probe-shared-" + i).toList();
        names.forEach(name -> create(name, "/health"));
        create("probe-own-path", "/alive");
        await().atMost(Duration.ofSeconds(5)).until(() -> names.stream().allMatch(n -> HealthProbeTest.health(n, 0).equals("UP"))
                && HealthProbeTest.health("probe-own-path", 0).equals("UP"));

        // Unshared, 5 distributors make 10 to 15 probes in 6 s; shared, one every 2 s ± 10 % jitter makes 2 to 4
        // (at least 1 on a machine so busy that the scheduler's tick is late).
        int sharedProbes = probesWithin("/health", 3 * INTERVAL_SECONDS);
        assertTrue(sharedProbes >= 1 && sharedProbes <= 4, "probes of /health in 6 s: " + sharedProbes);
        // Another path is another probe: the distributor that checks /alive gets its own.
        assertTrue(server.probes("/alive") >= 2, "probes of /alive: " + server.probes("/alive"));

        // Each distributor shows the one verdict, and counts it under its own name.
        // The views are read one after another: a probe that lands between two reads shows as two values, so the
        // reading is repeated until one pass sees a single value (separate states would never agree).
        await().atMost(Duration.ofSeconds(5)).until(() -> names.stream()
                .map(n -> HealthProbeTest.status(n).get("backends[0].lastCheckAt")).distinct().count() == 1);
        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : names) {
            assertTrue(metrics.contains("td_backend_health{backend=\"server\",distributor=\"" + name + "\"} 1.0"), name);
            assertTrue(metrics.contains("td_health_transitions_total{backend=\"server\",distributor=\"" + name
                    + "\",to=\"UP\"} 1.0"), name);
        }

        // A failure reaches every distributor through the one probe, and is logged once for all of them.
        List<String> logged;
        server.healthStatus(500);
        try (CapturedLog log = healthLog()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> names.stream().allMatch(n -> HealthProbeTest.health(n, 0).equals("DOWN")));
            logged = log.lines;
        } finally {
            server.healthStatus(200);
        }
        List<String> downLines = logged.stream().filter(l -> l.contains("probe-shared-") && l.contains("-> DOWN")).toList();
        assertEquals(1, downLines.size(), downLines.toString());
        assertTrue(downLines.get(0).contains(server.url()) && downLines.get(0).contains("for " + DISTRIBUTORS + " distributor backends"),
                downLines.get(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> names.stream().allMatch(n -> HealthProbeTest.health(n, 0).equals("UP")));

        // Withdrawing the distributor that was probed first does not stop the probe the others need ...
        delete(names.get(0));
        int afterFirstGone = probesWithin("/health", 2 * INTERVAL_SECONDS + 1);
        assertTrue(afterFirstGone >= 1, "probes of /health after one distributor went: " + afterFirstGone);

        // ... and when the last one goes, the probe stops.
        names.subList(1, DISTRIBUTORS).forEach(ProbeSharingTest::delete);
        Thread.sleep(600); // a probe already in flight may still land
        assertEquals(0, probesWithin("/health", 2 * INTERVAL_SECONDS + 1));
        delete("probe-own-path");
    }

    @Test
    void aBurstOfNewDistributorsOfOneServerCostsAProbeASecondNotOnePerDistributor() {
        List<String> names = IntStream.range(0, 20).mapToObj(i -> "probe-burst-" + i).toList();
        long started = System.nanoTime();
        CapturedLog log = healthLog();
        for (String name : names) {
            json("""
                    {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"server","url":"%s"}],
                     "healthCheck":{"path":"/burst","intervalSeconds":30,"timeoutMillis":500,"healthyThreshold":1}}"""
                    .formatted(name, name, server.url()))
                    .post("/api/v1/distributors").then().statusCode(201);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // Each creation joins the one state of /burst; a probe running or ended less than a second ago is fresh
        // enough for it, so the burst costs about one probe per second it lasts (20 if each creation probed).
        await().atMost(Duration.ofSeconds(5)).until(() -> names.stream().allMatch(n -> HealthProbeTest.health(n, 0).equals("UP")));
        log.close();
        int probes = server.probes("/burst");
        assertTrue(probes >= 1 && probes <= Math.ceil(seconds) + 2, probes + " probes for 20 creations in " + seconds + " s");
        // The log says it for the first few only (the first distributor's own verdict, then joins), not 20 times.
        List<String> upLines = log.lines.stream().filter(l -> l.contains("probe-burst-") && l.contains("-> UP")).toList();
        assertTrue(!upLines.isEmpty() && upLines.size() <= HealthState.VIEWS_LOGGED_EACH, upLines.toString());
        names.forEach(ProbeSharingTest::delete);
    }

    @Test
    void distributorsJoiningAServerThatIsUpTakeItsVerdictWithoutAProbe() throws InterruptedException {
        String body = """
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"server","url":"%s"}],
                 "healthCheck":{"path":"/joined","intervalSeconds":30,"timeoutMillis":500,"healthyThreshold":1}}""";
        json(body.formatted("probe-join-first", "probe-join-first", server.url())).post("/api/v1/distributors").then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> HealthProbeTest.health("probe-join-first", 0).equals("UP"));
        int probes = server.probes("/joined");
        Thread.sleep(1200); // past the second in which a probe that just ended is fresh enough even for no verdict
        List<String> joiners = IntStream.range(0, 5).mapToObj(i -> "probe-join-" + i).toList();
        for (String name : joiners) {
            json(body.formatted(name, name, server.url())).post("/api/v1/distributors").then().statusCode(201);
        }
        // They show the verdict at once (after the registrar's moment), and the server saw no probe for them: the
        // next one is the shared state's own, 30 s after the first.
        await().atMost(Duration.ofSeconds(5)).until(() -> joiners.stream().allMatch(n -> HealthProbeTest.health(n, 0).equals("UP")));
        Thread.sleep(500); // a probe started for a joiner would have landed by now
        assertEquals(probes, server.probes("/joined"));
        delete("probe-join-first");
        joiners.forEach(ProbeSharingTest::delete);
    }

    @Test
    void aDistributorJoiningAServerThatIsDownProbesItAgainAtOnce() throws InterruptedException {
        String body = """
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"server","url":"%s"}],
                 "healthCheck":{"path":"/rejoin/health","intervalSeconds":30,"timeoutMillis":500,"healthyThreshold":1,
                 "unhealthyThreshold":1}}""";
        server.healthStatus(500);
        try {
            json(body.formatted("probe-rejoin-first", "probe-rejoin-first", server.url())).post("/api/v1/distributors")
                    .then().statusCode(201);
            await().atMost(Duration.ofSeconds(5)).until(() -> HealthProbeTest.health("probe-rejoin-first", 0).equals("DOWN"));
        } finally {
            server.healthStatus(200);
        }
        Thread.sleep(1200); // past the second in which a probe that just ended counts as fresh
        json(body.formatted("probe-rejoin-next", "probe-rejoin-next", server.url())).post("/api/v1/distributors").then()
                .statusCode(201);
        // The shared state's own next probe is 30 s away: only a probe for the joiner makes it UP this soon.
        await().atMost(Duration.ofSeconds(5)).until(() -> HealthProbeTest.health("probe-rejoin-next", 0).equals("UP"));
        assertEquals("UP", HealthProbeTest.health("probe-rejoin-first", 0));
        delete("probe-rejoin-first");
        delete("probe-rejoin-next");
    }

    /** The lines of the health log (per distributor backend, and per shared server). */
    static CapturedLog healthLog() {
        return new CapturedLog(BackendHealth.class.getName());
    }

    static void delete(String name) {
        api().delete("/api/v1/distributors/" + name).then().statusCode(204);
    }
}
