package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.patchBackend;
import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * Slow start measured through the real proxy: a backend that comes back takes a small share in its first second and
 * its full share once the window is over (ROUND_ROBIN), a recovered FAILOVER primary takes the traffic back
 * gradually, and the status view shows the effective shares meanwhile.
 * <p>
 * The window is 8 s. The ramp starts when the probe sees the backend UP; the test sees that through the status view
 * a little later, so "the first second" is at most about 1.5 s into the ramp, where the backend's part is under
 * 0.27 of its weight (a share under 21 % against an equal partner, 27 % of FAILOVER's requests), against 50 % and
 * 100 % without slow start. The last window starts 8.5 s after the test saw the recovery: the ramp is over.
 */
@QuarkusTest
class SlowStartProxyTest {

    static final String HEALTH = """
            "healthCheck":{"path":"/health","intervalSeconds":1,"timeoutMillis":900,"healthyThreshold":1,"unhealthyThreshold":1}""";
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    static TestBackend blue;
    static TestBackend green;

    @BeforeAll
    static void startBackends() {
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
    }

    @AfterAll
    static void stopBackends() {
        blue.close();
        green.close();
    }

    static JsonPath status(String distributor) {
        return api().get("/api/v1/distributors/{name}/status", distributor).then().statusCode(200).extract().jsonPath();
    }

    static String health(JsonPath status, String backend) {
        return status.getString("backends.find { it.name == '" + backend + "' }.health");
    }

    static double share(JsonPath status, String backend) {
        return status.getDouble("backends.find { it.name == '" + backend + "' }.share");
    }

    /** Waits until the status view shows {@code backend} with that health; the status at that moment. */
    static JsonPath awaitHealth(String distributor, String backend, String health) {
        JsonPath[] seen = new JsonPath[1];
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            seen[0] = status(distributor);
            return health.equals(health(seen[0], backend));
        });
        return seen[0];
    }

    /**
     * Waits until the status view shows {@code backend} with that share. A backend whose first probe failed (a cold
     * prober on a loaded machine) was DOWN, and ramps up once UP, as it should; the test starts from no ramp.
     */
    static void awaitShare(String distributor, String backend, double share) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> share(status(distributor), backend) == share);
    }

    /**
     * Sends requests one after another from {@code start} until {@code seconds} later, and counts, per second since
     * {@code start}, which backend answered each: second → [answers of {@code backend}, all answers].
     */
    static TreeMap<Integer, int[]> answersPerSecond(String host, String backend, long start, double seconds) {
        TreeMap<Integer, int[]> perSecond = new TreeMap<>();
        long end = start + (long) (seconds * SECOND);
        long now;
        while ((now = System.nanoTime()) < end) {
            HttpResponse<String> response = ProxyClient.get(host, "/");
            assertEquals(200, response.statusCode(), response.body());
            int[] counts = perSecond.computeIfAbsent((int) ((now - start) / SECOND), s -> new int[2]);
            counts[0] += response.body().equals(backend) ? 1 : 0;
            counts[1]++;
        }
        return perSecond;
    }

    /** Requests for {@code millis} from now: [answers of {@code backend}, all answers]. */
    static int[] answersFor(String host, String backend, long millis) {
        int[] counts = new int[2];
        answersPerSecond(host, backend, System.nanoTime(), millis / 1000.0).values().forEach(c -> {
            counts[0] += c[0];
            counts[1] += c[1];
        });
        return counts;
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static double failoversTo(String distributor, String backend) {
        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^td_proxy_failovers_total\\{distributor=\"" + distributor + "\",to=\"" + backend
                + "\"} ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aRecoveredBackendTakesASmallShareAtFirstAndItsWeightByTheEnd() throws InterruptedException {
        create("""
                {"name":"ss-rr","hostnames":["ssrr.test"],"slowStartSeconds":8,"backends":[%s,%s],%s}"""
                .formatted(backend(blue, 1), backend(green, 1), HEALTH));
        awaitHealth("ss-rr", "green", "UP");
        awaitHealth("ss-rr", "blue", "UP");
        awaitShare("ss-rr", "green", 50.0);
        int[] before = answersFor("ssrr.test", "green", 300);
        assertTrue(Math.abs(2 * before[0] - before[1]) <= 1, "green " + before[0] + " of " + before[1]);

        green.stop();
        awaitHealth("ss-rr", "green", "DOWN");
        green.start();
        JsonPath recovered = awaitHealth("ss-rr", "green", "UP");
        long seenUp = System.nanoTime();
        double shareAtFirst = share(recovered, "green");
        assertTrue(shareAtFirst > 0 && shareAtFirst < 25, "green's share just after it came back: " + shareAtFirst);

        TreeMap<Integer, int[]> perSecond = answersPerSecond("ssrr.test", "green", seenUp, 2);
        int[] first = perSecond.firstEntry().getValue();
        assertTrue(first[1] >= 20, "too few requests to judge: " + first[1]);
        assertTrue(first[0] > 0 && first[0] < 0.3 * first[1],
                "green answered " + first[0] + " of " + first[1] + " requests in the first second after it came back");

        sleepUntil(seenUp + 8_500_000_000L);
        int[] last = answersFor("ssrr.test", "green", 1000);
        assertTrue(Math.abs(2 * last[0] - last[1]) <= 1, "after the window green answered " + last[0] + " of " + last[1]);
        assertEquals(50.0, share(status("ss-rr"), "green"));
    }

    @Test
    void failoverFailsBackGraduallyAndFailsOverAtOnce() throws InterruptedException {
        TestBackend primary = TestBackend.start("primary");
        try {
            create("""
                    {"name":"ss-fo","hostnames":["ssfo.test"],"routing":"FAILOVER","slowStartSeconds":8,
                     "backends":[%s,%s],%s}""".formatted(backend(primary, 1), backend(blue, 1), HEALTH));
            awaitHealth("ss-fo", "primary", "UP");
            awaitShare("ss-fo", "primary", 100.0);
            int[] before = answersFor("ssfo.test", "primary", 200);
            assertEquals(before[1], before[0], "everything to the primary");

            // Failing over away from a backend that is gone is immediate: not one request more to it.
            primary.stop();
            int[] failedOver = answersFor("ssfo.test", "primary", 300);
            assertEquals(0, failedOver[0], "answers from the stopped primary");
            assertEquals("blue", awaitHealth("ss-fo", "primary", "DOWN").getString("activeBackend"));

            double failbacks = failoversTo("ss-fo", "primary");
            double failovers = failoversTo("ss-fo", "blue");
            primary.start();
            JsonPath recovered = awaitHealth("ss-fo", "primary", "UP");
            long seenUp = System.nanoTime();
            double shareAtFirst = share(recovered, "primary");
            assertTrue(shareAtFirst >= 10 && shareAtFirst < 30, "the primary's share just after it came back: " + shareAtFirst);
            assertEquals("blue", recovered.getString("activeBackend"), "the backup takes the larger share at first");

            TreeMap<Integer, int[]> perSecond = answersPerSecond("ssfo.test", "primary", seenUp, 2);
            int[] first = perSecond.firstEntry().getValue();
            assertTrue(first[1] >= 20, "too few requests to judge: " + first[1]);
            assertTrue(first[0] > 0 && first[0] < 0.35 * first[1],
                    "the primary answered " + first[0] + " of " + first[1] + " requests in the first second after it came back");

            sleepUntil(seenUp + 8_500_000_000L);
            int[] last = answersFor("ssfo.test", "primary", 1000);
            assertEquals(last[1], last[0], "after the window everything goes to the primary again");
            JsonPath after = status("ss-fo");
            assertEquals("primary", after.getString("activeBackend"));
            assertEquals(100.0, share(after, "primary"));
            // The gradual fail-back is one move back to the primary, not one per request the backup still served.
            assertEquals(failbacks + 1, failoversTo("ss-fo", "primary"));
            assertEquals(failovers, failoversTo("ss-fo", "blue"));
        } finally {
            primary.close();
        }
    }

    @Test
    void anAddedBackendRampsAndAReconfigurationDoesNotRestartItsRamp() throws InterruptedException {
        create("""
                {"name":"ss-add","hostnames":["ssadd.test"],"slowStartSeconds":8,"backends":[%s],%s}"""
                .formatted(backend(blue, 1), HEALTH));
        json(backend(green, 1)).post("/api/v1/distributors/ss-add/backends").then().statusCode(201);
        long added = System.nanoTime();
        double atFirst = share(status("ss-add"), "green");
        assertTrue(atFirst > 0 && atFirst < 20, "the added backend's share at first: " + atFirst);

        sleepUntil(added + 4 * SECOND);
        patchBackend("ss-add", "blue", "{\"weight\":1}"); // no change: the same version
        patchBackend("ss-add", "green", "{\"weight\":2}");
        // 4 s into 8: about 0.55 of 2 against 1, some 52 %; a restarted ramp would show about 17 %, none 67 %.
        double midway = share(status("ss-add"), "green");
        assertTrue(midway > 40 && midway < 62, "the added backend's share midway, after a change of its weight: " + midway);
        List<String> answers = ProxyTestSupport.answers("ssadd.test", 20);
        assertTrue(answers.contains("green") && answers.contains("blue"), answers.toString());
    }
}
