package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.assertNothingReachedSince;
import static io.trafficdistributor.support.RawHttp.assertProxyAnswer;
import static io.trafficdistributor.support.RawHttp.assertRefusedAndClosed;
import static io.trafficdistributor.support.RawHttp.exchange;
import static io.trafficdistributor.support.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.HttpHead;
import io.trafficdistributor.support.RawBackend;
import io.trafficdistributor.support.RawHttp.Client;
import io.trafficdistributor.support.RawHttp.Exchange;
import io.trafficdistributor.support.RawHttp.Response;

/**
 * Request targets and Host headers an attacker controls (DESIGN §4, Lookup and Request target): nothing reaches
 * a path outside the backend's base path {@code /public}, only origin-form, absolute-form and {@code OPTIONS *}
 * pass, {@code CONNECT} is never forwarded, and a missing, repeated or malformed Host is a {@code 400} saying so.
 */
@QuarkusTest
class AttackTargetTest {

    static final String HOST = "attack-target.test";

    static RawBackend backend;
    static boolean created;

    @BeforeAll
    static void start() {
        backend = RawBackend.start("target");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void distributor() {
        if (!created) {
            create("""
                    {"name":"atk-target","hostnames":["%s"],"backends":[{"name":"raw","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(HOST, backend.url("/public")));
            created = true;
        }
    }

    /** A GET of {@code target} for HOST, on a connection that closes after it. */
    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n";
    }

    /** The one request head the backend received since {@code mark}. */
    static HttpHead onlyRequestSince(RawBackend.Mark mark) {
        String received = backend.receivedSince(mark);
        assertEquals(1, received.split("\r\n\r\n", -1).length - 1, () -> "not exactly one request head:\n" + received);
        assertTrue(received.endsWith("\r\n\r\n"), () -> "bytes after the head:\n" + received);
        return new HttpHead(received);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/a/%2E%2e/../secret.txt",
            "/./secret.txt", "/a/b/../../../../secret.txt", "/%2e/%2e%2e/secret.txt" })
    void dotSegmentsAreResolvedBeforeTheBasePathIsPrefixed(String target) {
        RawBackend.Mark mark = backend.mark();
        Response response = request(get(target));
        assertEquals(200, response.status(), response::toString);
        assertEquals("target", response.text());
        assertEquals("GET /public/secret.txt HTTP/1.1", onlyRequestSince(mark).startLine());
    }

    @Test
    void aPathThatOnlyLooksLikeDotsIsLeftAlone() {
        RawBackend.Mark mark = backend.mark();
        Response response = request(get("/..hidden/a..b/.x?y=../z"));
        assertEquals(200, response.status(), response::toString);
        assertEquals("GET /public/..hidden/a..b/.x?y=../z HTTP/1.1", onlyRequestSince(mark).startLine());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "ity.txt", "/..%2fsecret", "/..%2Fsecret", "/%2e%2e%2fsecret", "*" })
    void aTargetThatIsNotOriginFormIs400AndNotForwarded(String target) {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange(get(target));
        assertProxyAnswer(exchange.response(), 400);
        assertNothingReachedSince(backend, mark, HOST);
    }

    @ParameterizedTest(name = "control byte {0}")
    @ValueSource(ints = { 0x00, 0x7f, 0x01, 0x1b, 0x0b })
    void aControlByteInTheTargetIs400AndNotForwarded(int control) {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange(get("/public-file" + (char) control + "x.txt"));
        assertProxyAnswer(exchange.response(), 400);
        assertNothingReachedSince(backend, mark, HOST);
    }

    @Test
    void connectIs405WithAllowAndNeverForwarded() {
        RawBackend.Mark mark = backend.mark();
        try (Client client = Client.open()) {
            // A tunnel request for the distributor's own host, then bytes an open tunnel would carry.
            client.send("CONNECT " + HOST + ":443 HTTP/1.1\r\nHost: " + HOST + ":443\r\n\r\n");
            Response response = client.readResponse();
            assertProxyAnswer(response, 405);
            String allow = response.header("Allow");
            assertNotNull(allow, "405 without Allow: " + response);
            assertFalse(allow.toUpperCase().contains("CONNECT"), allow);
            try {
                client.send("GET /through-the-tunnel HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
            } catch (RuntimeException closed) {
                // closed after the 405: as good as usable
            }
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            client.closedWithin(Duration.ofSeconds(2), rest);
            String after = rest.toString(StandardCharsets.ISO_8859_1);
            // The connection may serve the next request as an ordinary one, never as a tunnel's 200 to CONNECT.
            assertFalse(after.contains("Connection established"), after);
        }
        String received = backend.receivedSince(mark);
        assertFalse(received.contains("CONNECT"), received);
        assertFalse(received.contains(":443"), received);
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsAuthorityAndForwardedInOriginForm() {
        RawBackend.Mark mark = backend.mark();
        Response response = request("GET http://" + HOST + "/x?y=1 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n");
        assertEquals(200, response.status(), response::toString);
        assertEquals("target", response.text());
        HttpHead forwarded = onlyRequestSince(mark);
        assertEquals("GET /public/x?y=1 HTTP/1.1", forwarded.startLine());
        assertEquals(List.of(HOST), forwarded.values("Host"));
        assertFalse(forwarded.text().contains("other.example"), forwarded.text());
    }

    @Test
    void anAbsoluteFormTargetWithDotSegmentsStaysUnderTheBasePath() {
        RawBackend.Mark mark = backend.mark();
        Response response = request("GET http://" + HOST + "/a/../../%2e%2e/secret.txt HTTP/1.1\r\nHost: " + HOST
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(200, response.status(), response::toString);
        assertEquals("GET /public/secret.txt HTTP/1.1", onlyRequestSince(mark).startLine());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { HOST, "other.example" })
    void twoHostHeadersAre400SayingSo(String second) {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange("GET /two-hosts HTTP/1.1\r\nHost: " + HOST + "\r\nHost: " + second + "\r\n\r\n");
        assertRefusedAndClosed(exchange, 400);
        assertTrue(exchange.response().text().contains("Host"), exchange.response().text());
        assertNothingReachedSince(backend, mark, HOST);
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = { "a b", "exa mple.com", "[::1" })
    void anInvalidHostIs400SayingSo(String host) {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange("GET /bad-host HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        assertProxyAnswer(exchange.response(), 400);
        assertTrue(exchange.response().text().contains("The Host header is not a valid host name or address."),
                exchange.response().text());
        assertNothingReachedSince(backend, mark, HOST);
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = { HOST + ":port", HOST + ":99999", HOST + "/x", "user@" + HOST })
    void aHostWithAnythingButANameAndAPortIs400NamingTheHeader(String host) {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange("GET /bad-host HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        assertProxyAnswer(exchange.response(), 400);
        assertTrue(exchange.response().text().contains("Host"), exchange.response().text());
        assertNothingReachedSince(backend, mark, HOST);
    }

    @Test
    void aControlByteInAHeaderIs400SayingSo() {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange("GET /nul-host HTTP/1.1\r\nHost: " + HOST + "\u0000\r\n\r\n");
        assertProxyAnswer(exchange.response(), 400);
        assertTrue(exchange.response().text().contains("header"), exchange.response().text());
        assertNothingReachedSince(backend, mark, HOST);
    }

    @Test
    void noHostIs400SayingSo() {
        RawBackend.Mark mark = backend.mark();
        Exchange exchange = exchange("GET /no-host HTTP/1.1\r\n\r\n");
        assertProxyAnswer(exchange.response(), 400);
        assertTrue(exchange.response().text().contains("The request has no Host header."), exchange.response().text());
        assertNothingReachedSince(backend, mark, HOST);
    }

    @Test
    void optionsAsteriskIsForwardedAsIs() {
        RawBackend.Mark mark = backend.mark();
        Response response = request("OPTIONS * HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
        assertEquals(200, response.status(), response::toString);
        assertEquals("OPTIONS * HTTP/1.1", onlyRequestSince(mark).startLine());
    }
}
