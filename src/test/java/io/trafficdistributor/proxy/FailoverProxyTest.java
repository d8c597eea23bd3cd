package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.answers;
import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.count;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

@QuarkusTest
class FailoverProxyTest {

    static TestBackend primary;
    static TestBackend backup;
    static TestBackend third;

    @BeforeAll
    static void startBackends() {
        primary = TestBackend.start("primary");
        backup = TestBackend.start("backup");
        third = TestBackend.start("third");
    }

    @AfterAll
    static void stopBackends() {
        primary.close();
        backup.close();
        third.close();
    }

    @Test
    void everythingGoesToThePrimaryWhateverTheWeights() {
        create("""
                {"name":"fo-all","hostnames":["foall.test"],"routing":"FAILOVER","backends":[%s,%s,%s]}"""
                .formatted(backend(primary, 1), backend(backup, 100), backend(third, 100)));
        List<String> answers = answers("foall.test", 30);
        assertEquals(30, count(answers, "primary"), answers.toString());
    }

    @Test
    void aStoppedPrimaryFailsOverWithoutAnErrorAndTrafficReturnsWhenItIsBack() {
        create("""
                {"name":"fo-switch","hostnames":["foswitch.test"],"routing":"FAILOVER","backends":[%s,%s,%s]}"""
                .formatted(backend(primary, 1), backend(backup, 1), backend(third, 1)));
        try {
            assertEquals(10, count(answers("foswitch.test", 10), "primary"));

            primary.stop();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> get = ProxyClient.get("foswitch.test", "/after-stop");
                assertEquals(200, get.statusCode(), "GET " + i + " after the primary stopped: " + get.body());
                assertEquals("backup", get.body());
                // A connect failure is retried for any method: nothing was sent yet.
                HttpResponse<String> post = ProxyClient.send(ProxyClient.request("foswitch.test", "/order")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"item\":" + i + "}")).build());
                assertEquals(200, post.statusCode(), "POST " + i + " after the primary stopped: " + post.body());
                assertEquals("backup", post.body());
            }
            assertEquals("{\"item\":29}".length(), backup.lastReceived().bodyBytes());

            primary.start();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(
                    () -> ProxyClient.get("foswitch.test", "/").body().equals("primary"));
            assertEquals(20, count(answers("foswitch.test", 20), "primary"));
        } finally {
            primary.start();
        }
    }

    @Test
    void aHangingPrimaryCostsAttemptMillisAndNoError() {
        TestBackend hanging = TestBackend.start("hanging");
        hanging.hang(true);
        try {
            create("""
                    {"name":"fo-hang","hostnames":["fohang.test"],"routing":"FAILOVER","backends":[%s,%s],
                     "timeouts":{"responseMillis":10000,"attemptMillis":300}}"""
                    .formatted(backend(hanging, 1), backend(backup, 1)));
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = ProxyClient.get("fohang.test", "/");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("backup", response.body());
                assertTrue(millis < 5_000, "took " + millis + " ms");
            }
        } finally {
            hanging.close();
        }
    }

    @Test
    void theNextPriorityTakesOverWhenTheFirstTwoAreDown() {
        create("""
                {"name":"fo-third","hostnames":["fothird.test"],"routing":"FAILOVER","backends":[%s,%s,%s]}"""
                .formatted(backend("gone1", "http://127.0.0.1:" + TestBackend.freePort(), 1),
                        backend("gone2", "http://127.0.0.1:" + TestBackend.freePort(), 1), backend(third, 1)));
        List<String> answers = answers("fothird.test", 10);
        assertEquals(10, count(answers, "third"), answers.toString());
    }
}
