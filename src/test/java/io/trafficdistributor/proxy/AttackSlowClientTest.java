package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.assertProxyAnswer;
import static io.trafficdistributor.support.RawHttp.consecutiveFailures;
import static io.trafficdistributor.support.RawHttp.health;
import static io.trafficdistributor.support.RawHttp.parseRequest;
import static io.trafficdistributor.support.RawHttp.rejected;
import static io.trafficdistributor.support.RawHttp.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.HttpHead;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.RawBackend;
import io.trafficdistributor.support.RawHttp.Client;
import io.trafficdistributor.support.RawHttp.ReceivedRequest;
import io.trafficdistributor.support.RawHttp.Response;

/**
 * Slow and hostile clients (DESIGN §4, Slow and hostile clients, and Blame): a body up to
 * {@code td.proxy.request-buffer} (64 KiB) is read before a backend is chosen, so dripping clients hold no backend
 * connection; a larger body that stops coming is a {@code 408} after {@code td.proxy.body-timeout} (2 s in tests);
 * none of it is the backend's failure; {@code Expect: 100-continue} never stalls an upload.
 * <p>
 * Each test has its own backend and distributor. Health is probed on {@code /health} once at creation and then
 * only every 60 s, so a passive failure blamed on the backend would still show in the status view when read.
 */
@QuarkusTest
class AttackSlowClientTest {

    static final int KIB = 1024;

    /** Creates a distributor for {@code backend} and waits until its first probe made the backend UP. */
    static String distributor(String name, RawBackend backend) {
        create("""
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"raw","url":"%s"}],
                 "healthCheck":{"path":"/health","intervalSeconds":60,"timeoutMillis":1000,
                                "healthyThreshold":1,"unhealthyThreshold":2}}""".formatted(name, name, backend.url()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(health(name, "raw")));
        return name + ".test";
    }

    /** The backend is UP with no failure counted, now (while clients misbehave). */
    static void assertNotBlamed(String distributor) {
        assertEquals("UP", health(distributor, "raw"));
        assertEquals(0, consecutiveFailures(distributor, "raw"), "failures counted against the backend");
    }

    /** The backend is UP with no failure counted, and stays so for a second (after clients misbehaved). */
    static void assertStaysUnblamed(String distributor) {
        await().pollDelay(Duration.ofMillis(200)).during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> "UP".equals(health(distributor, "raw")) && consecutiveFailures(distributor, "raw") == 0);
    }

    @Test
    void fiftyClientsDrippingSmallBodiesHoldNoBackendConnectionAndStarveNoOne() throws Exception {
        try (RawBackend backend = RawBackend.start("drip")) {
            String host = distributor("atk-slow-drip", backend);
            List<Client> drippers = new ArrayList<>();
            ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
            try {
                for (int i = 0; i < 50; i++) {
                    drippers.add(Client.open().send("POST /drip-" + i + " HTTP/1.1\r\nHost: " + host
                            + "\r\nContent-Length: 1000\r\n\r\nx"));
                }
                drip.scheduleAtFixedRate(() -> drippers.forEach(client -> {
                    try {
                        client.send("x");
                    } catch (UncheckedIOException closed) {
                        // checked below: the backend never saw it, whatever the proxy did with the connection
                    }
                }), 1, 1, TimeUnit.SECONDS);

                // For 6 s of dripping, ordinary requests go on as if nothing happened.
                int served = 0;
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6); System.nanoTime() < end; served++) {
                    long start = System.nanoTime();
                    Response response = request("GET /during-drip-" + served + " HTTP/1.1\r\nHost: " + host
                            + "\r\nConnection: close\r\n\r\n");
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertEquals(200, response.status(), response::toString);
                    assertEquals("drip", response.text());
                    assertTrue(millis < 1500, "an ordinary request took " + millis + " ms while clients dripped");
                    assertFalse(backend.receivedText().contains("/drip-"),
                            "the backend received a dripping client's head:\n" + backend.receivedText());
                    assertNotBlamed("atk-slow-drip");
                    Thread.sleep(300);
                }
                assertTrue(served >= 5, "only " + served + " requests in 6 s");
                int duringDrip = served;
                assertEquals(duringDrip, backend.requests().stream().filter(r -> r.target().startsWith("/during-drip-")).count(),
                        "ordinary requests the backend got");
            } finally {
                drip.shutdownNow();
                drippers.forEach(Client::close);
            }
            // They hang up: that is not the backend's failure either.
            assertStaysUnblamed("atk-slow-drip");
            assertFalse(backend.receivedText().contains("/drip-"), backend::receivedText);
        }
    }

    @ParameterizedTest(name = "{0} KiB sent, then silence")
    @ValueSource(ints = { 0, 100 })
    void anUploadThatStopsComingIs408AfterTheBodyTimeoutAndNotTheBackendsFailure(int kibSent) {
        String name = "atk-slow-stall-" + kibSent;
        try (RawBackend backend = RawBackend.start("stall")) {
            String host = distributor(name, backend);
            double before = rejected("body_timeout");
            String marker = "/stalled-upload-" + kibSent;
            byte[] sent = new byte[kibSent * KIB];
            Arrays.fill(sent, (byte) 'u');
            try (Client client = Client.open()) {
                client.send("POST " + marker + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 1000000\r\n\r\n");
                client.send(sent);
                long start = System.nanoTime();
                Response response = client.readResponse();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertProxyAnswer(response, 408);
                // td.proxy.body-timeout is 2 s: not before, and not much after.
                assertTrue(millis >= 1500 && millis < 4500, "408 after " + millis + " ms");
                assertTrue(client.closedWithin(Duration.ofSeconds(2)), "the connection stayed open after the 408");
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> rejected("body_timeout") >= before + 1);
            assertEquals(before + 1, rejected("body_timeout"), "body_timeout counted more than once");
            assertStaysUnblamed(name);

            // What the backend got, if the upload reached it at all: the head and no more than the client sent, and
            // the proxy did not leave that connection waiting for the rest.
            byte[] connection = backend.connection(marker);
            if (connection != null) {
                String text = new String(connection, StandardCharsets.ISO_8859_1);
                String body = text.substring(text.indexOf("\r\n\r\n") + 4);
                assertTrue(body.length() <= sent.length && body.chars().allMatch(c -> c == 'u'),
                        "the backend got " + body.length() + " body bytes of the " + sent.length + " sent");
                await().atMost(Duration.ofSeconds(5)).until(() -> backend.ended(marker));
            }
            // The distributor serves on.
            Response next = request("GET /after-stall HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, next.status(), next::toString);
            assertEquals("GET /after-stall HTTP/1.1", backend.lastRequest().startLine());
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyAndNotForwarded() {
        try (RawBackend backend = RawBackend.start("expect")) {
            create("""
                    {"name":"atk-slow-expect","hostnames":["atk-slow-expect.test"],"backends":[{"name":"raw","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(backend.url()));
            RawBackend.Mark mark = backend.mark();
            try (Client client = Client.open()) {
                client.send("POST /expect HTTP/1.1\r\nHost: atk-slow-expect.test\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
                client.timeout(Duration.ofMillis(500));
                HttpHead interim;
                try {
                    interim = client.readHead();
                } catch (UncheckedIOException e) {
                    fail("no 100 Continue within 500 ms of the head: " + e.getCause());
                    return;
                }
                assertEquals("HTTP/1.1 100 Continue", interim.startLine(), interim::text);
                assertFalse(backend.receivedText().contains("POST /expect"), "forwarded before its body came");

                client.timeout(Duration.ofSeconds(10)).send("hello");
                Response response = client.readResponse();
                assertEquals(200, response.status(), response::toString);
                assertEquals("expect", response.text());
            }
            String received = backend.receivedSince(mark);
            ReceivedRequest request = parseRequest(received);
            assertNotNull(request, "the backend received no request");
            assertEquals("POST /expect HTTP/1.1", request.head().startLine(), received);
            assertNull(request.head().value("Expect"), received);
            assertEquals("hello", request.body(), received);
            assertEquals("", request.after(), received);
        }
    }

    /**
     * The other side of the body timeout: an upload the proxy stops reading because its backend is slow to take it
     * (back-pressure) is no client pausing, and is not cut with a 408 however long the backend takes.
     */
    @Test
    void anUploadTheBackendIsSlowToTakeIsNotTimedOut() throws Exception {
        try (RawBackend backend = RawBackend.start("slow-reader")) {
            String host = distributor("atk-slow-reader", backend);
            int size = 16 * 1024 * 1024;
            long[] received = { 0 };
            backend.behave((request, in, out) -> {
                if (request.target().startsWith("/slow-reader")) {
                    try {
                        Thread.sleep(4000); // twice td.proxy.body-timeout (2 s in tests), reading nothing
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    long length = Long.parseLong(request.value("Content-Length"));
                    received[0] = in.readNBytes((int) length).length;
                }
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                return true;
            });
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", ProxyClient.port())) {
                socket.setSoTimeout(20_000);
                java.io.OutputStream out = socket.getOutputStream();
                out.write(("PUT /slow-reader HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + size + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] part = new byte[64 * KIB];
                for (int sent = 0; sent < size; sent += part.length) {
                    out.write(part); // blocks while the proxy, pushed back by the backend, stops reading
                }
                out.flush();
                HttpHead response = HttpHead.read(socket.getInputStream());
                assertEquals(200, response.status(), response.text());
            }
            assertEquals(size, received[0], "the backend got the whole upload");
            assertStaysUnblamed("atk-slow-reader");
        }
    }
}
