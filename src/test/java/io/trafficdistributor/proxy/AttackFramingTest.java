package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.assertNothingReachedSince;
import static io.trafficdistributor.support.RawHttp.assertRefusedAndClosed;
import static io.trafficdistributor.support.RawHttp.exchange;
import static io.trafficdistributor.support.RawHttp.parseRequest;
import static io.trafficdistributor.support.RawHttp.rejected;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.RawBackend;
import io.trafficdistributor.support.RawHttp.Exchange;
import io.trafficdistributor.support.RawHttp.ReceivedRequest;

/**
 * Request framing an attacker controls (DESIGN §4, Framing): every ambiguous or malformed body is a {@code 400}
 * with a short text, the connection is closed, the refusal is counted as {@code bad_framing}, and not one byte of
 * it, nor of what was pipelined behind it, reaches the backend.
 */
@QuarkusTest
class AttackFramingTest {

    static final String HOST = "atk-framing.test";
    /** A request pipelined behind each refused one: it must never reach the backend. */
    static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";

    static RawBackend backend;
    static boolean created;

    @BeforeAll
    static void start() {
        backend = RawBackend.start("framing");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void distributor() {
        // REST Assured knows the admin port only once the test instance runs, hence not in @BeforeAll.
        if (!created) {
            create("""
                    {"name":"atk-framing","hostnames":["%s"],"backends":[{"name":"raw","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(HOST, backend.url()));
            created = true;
        }
    }

    static String post(String headers, String body) {
        return "POST /framing HTTP/1.1\r\nHost: " + HOST + "\r\n" + headers + "\r\n" + body;
    }

    static Stream<Arguments> badFraming() {
        return Stream.of(
                Arguments.of("two different Content-Lengths",
                        post("Content-Length: 3\r\nContent-Length: 5\r\n", "abcde")),
                Arguments.of("two Content-Lengths in one field",
                        post("Content-Length: 3, 5\r\n", "abcde")),
                Arguments.of("Content-Length and Transfer-Encoding",
                        post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
                Arguments.of("Transfer-Encoding: gzip, chunked",
                        post("Transfer-Encoding: gzip, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")),
                Arguments.of("Transfer-Encoding: identity",
                        post("Transfer-Encoding: identity\r\n", "hello")),
                Arguments.of("a chunk size that is not hex",
                        post("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n")),
                Arguments.of("a chunk size that overflows 64 bits",
                        post("Transfer-Encoding: chunked\r\n", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n")),
                Arguments.of("chunk lines ended by LF alone",
                        post("Transfer-Encoding: chunked\r\n", "5\nhello\n0\n\n")),
                // A chunk-size line shares the request line's limit (td.proxy.max-request-line, 8 KiB).
                Arguments.of("a chunk extension longer than the line limit",
                        post("Transfer-Encoding: chunked\r\n", "5;ext=" + "x".repeat(10_000) + "\r\nhello\r\n0\r\n\r\n")),
                Arguments.of("no CRLF after a chunk's data",
                        post("Transfer-Encoding: chunked\r\n", "5\r\nhelloXX0\r\n\r\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFraming")
    void badFramingIs400ClosedCountedAndNeverForwarded(String name, String request) {
        double before = rejected("bad_framing");
        RawBackend.Mark mark = backend.mark();

        Exchange exchange = exchange(request + SMUGGLED);

        assertRefusedAndClosed(exchange, 400);
        if (name.contains("Content-Lengths")) {
            assertTrue(exchange.response().text().contains("Content-Length"), exchange.response().text());
        }
        // Counted once: polled, the counter may be incremented a moment after the answer is written.
        await().atMost(Duration.ofSeconds(2)).until(() -> rejected("bad_framing") >= before + 1);
        assertEquals(before + 1, rejected("bad_framing"), "bad_framing counted more than once");
        assertNothingReachedSince(backend, mark, HOST);
    }

    @Test
    void aRequestPipelinedBehindARefusedOneNeverReachesTheBackend() {
        RawBackend.Mark mark = backend.mark();
        // The classic smuggling shape: had the proxy taken the chunks and the backend the length (or the other way
        // round), "GET /behind" would be a second request only one side saw.
        Exchange exchange = exchange("POST /front HTTP/1.1\r\nHost: " + HOST
                + "\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /behind HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
                + "GET /behind-again HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
        assertRefusedAndClosed(exchange, 400);
        assertTrue(exchange.response().statusLine().startsWith("HTTP/1.1 400 "), exchange.response().statusLine());
        assertNothingReachedSince(backend, mark, HOST);
    }

    @Test
    void aWellFramedChunkedRequestStillPasses() {
        // The control: the same connection shapes, well framed, are forwarded with their body intact.
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange(post("Transfer-Encoding: chunked\r\nConnection: close\r\n",
                "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\n\r\n"));
        assertEquals(200, exchange.response().status(), exchange.response().toString());
        assertEquals("framing", exchange.response().text());
        String received = backend.receivedSince(mark);
        ReceivedRequest request = parseRequest(received);
        assertTrue(request != null && request.head().startLine().equals("POST /framing HTTP/1.1"), "received: " + received);
        // Re-framed or not, the backend got the eleven body bytes and nothing else.
        assertEquals("hello world", request.body(), received);
        assertEquals("", request.after(), received);
    }
}
