package io.trafficdistributor.support;

import static io.trafficdistributor.support.Api.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.path.json.JsonPath;

/**
 * What the attack tests share: a raw client of the proxy listener (bytes out, a parsed response head and body
 * back, with a 10 s socket timeout), the proxy's metrics from {@code /q/metrics}, a distributor's status view, and
 * the checks every test repeats.
 */
public final class RawHttp {

    public static final int TIMEOUT_MILLIS = 10_000;

    private RawHttp() {
    }

    // --- the raw client ---------------------------------------------------------------------------------------

    /** A response as the client got it: its head exactly, and its body (de-chunked when it came in chunks). */
    public record Response(HttpHead head, byte[] body) {

        public int status() {
            return head.status();
        }

        public String statusLine() {
            return head.startLine();
        }

        public String header(String name) {
            return head.value(name);
        }

        public String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return head.text() + text();
        }
    }

    /** One response read from a new connection, then whatever else came until the proxy closed or the wait ended. */
    public record Exchange(Response response, String rest, boolean closed, long millis) {
    }

    /** One client connection to the proxy listener. */
    public static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Client(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            this.out = socket.getOutputStream();
        }

        /** Opens a connection to the proxy listener. */
        public static Client open() {
            try {
                return new Client(new Socket("127.0.0.1", ProxyClient.port()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes these characters as ISO-8859-1 bytes. */
        public Client send(String text) {
            return send(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        public Client send(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Sets the socket timeout of the reads that follow. */
        public Client timeout(Duration timeout) {
            try {
                socket.setSoTimeout((int) timeout.toMillis());
                return this;
            } catch (SocketException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads one response head (e.g. a {@code 100 Continue} or the head of a body read with {@link #body}). */
        public HttpHead readHead() {
            try {
                HttpHead head = HttpHead.read(in);
                if (head == null) {
                    throw new IllegalStateException("the proxy closed the connection before a response");
                }
                return head;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads one whole response to a request other than HEAD. */
        public Response readResponse() {
            HttpHead head = readHead();
            try (InputStream body = body(head)) {
                return new Response(head, body.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The body that follows {@code head}, decoded: chunks, a Content-Length, or everything until the proxy
         * closes; none for 1xx, 204 and 304. Closing it does not close the connection.
         */
        public InputStream body(HttpHead head) {
            int status = head.status();
            if (status / 100 == 1 || status == 204 || status == 304) {
                return InputStream.nullInputStream();
            }
            if (head.chunked()) {
                return HttpHead.dechunked(in);
            }
            long length = head.contentLength();
            return length >= 0 ? bounded(in, length) : in;
        }

        /** The raw input, for reading what follows a {@code 101}. */
        public InputStream in() {
            return in;
        }

        /**
         * Reads until the proxy closes the connection (true) or {@code wait} passes with it still open (false);
         * what arrived meanwhile goes into {@code rest}. A reset counts as closed.
         */
        public boolean closedWithin(Duration wait, ByteArrayOutputStream rest) {
            long deadline = System.nanoTime() + wait.toNanos();
            byte[] buffer = new byte[8192];
            try {
                for (;;) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return false;
                    }
                    socket.setSoTimeout((int) Math.max(1, left));
                    int n = in.read(buffer);
                    if (n < 0) {
                        return true;
                    }
                    rest.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        public boolean closedWithin(Duration wait) {
            return closedWithin(wait, new ByteArrayOutputStream());
        }

        /** Ends the connection with a reset (RST) instead of an orderly close. */
        public void reset() {
            try {
                socket.setSoLinger(true, 0);
            } catch (SocketException e) {
                // closed already
            }
            close();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    /**
     * Sends a GET with {@code extraHeaders} through a distributor of {@code host} whose one backend is {@code backend},
     * expects the backend's answer, and returns the one head the backend received for it, exactly as sent.
     */
    public static HttpHead forwardedHead(RawBackend backend, String host, String path, String extraHeaders) {
        RawBackend.Mark mark = backend.mark();
        Response response = request("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders
                + "Connection: close\r\n\r\n");
        assertEquals(200, response.status(), response::toString);
        assertEquals(backend.name(), response.text());
        String received = backend.receivedSince(mark);
        assertEquals(received.indexOf("\r\n\r\n") + 4, received.length(), () -> "not one head:\n" + received);
        HttpHead head = new HttpHead(received);
        assertEquals("GET " + path + " HTTP/1.1", head.startLine());
        return head;
    }

    /** Sends {@code request} on a new connection and reads one response. */
    public static Response request(String request) {
        try (Client client = Client.open()) {
            return client.send(request).readResponse();
        }
    }

    /**
     * Sends {@code request} on a new connection, reads one response, then reads on until the proxy closes the
     * connection or 3 s pass: a refused request must get exactly one answer and a closed connection.
     */
    public static Exchange exchange(String request) {
        long start = System.nanoTime();
        try (Client client = Client.open()) {
            try {
                client.send(request);
            } catch (UncheckedIOException e) {
                // The proxy may close while the rest of a refused request is still being written: read its answer.
            }
            Response response = client.readResponse();
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            boolean closed = client.closedWithin(Duration.ofSeconds(3), rest);
            return new Exchange(response, rest.toString(StandardCharsets.ISO_8859_1), closed,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static InputStream bounded(InputStream in, long length) {
        return new InputStream() {
            long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int c = in.read();
                if (c < 0) {
                    throw new IOException("the body ended " + left + " bytes before its Content-Length");
                }
                left--;
                return c;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) {
                    throw new IOException("the body ended " + left + " bytes before its Content-Length");
                }
                left -= n;
                return n;
            }
        };
    }

    // --- checks -----------------------------------------------------------------------------------------------

    /**
     * The proxy answered this itself: {@code status}, a short non-empty text/plain body, no stack trace and no
     * backend address.
     */
    public static void assertProxyAnswer(Response response, int status) {
        assertEquals(status, response.status(), () -> "answer: " + response);
        assertTrue(response.statusLine().matches("HTTP/1\\.[01] " + status + " .*"), response.statusLine());
        String contentType = response.header("Content-Type");
        assertTrue(contentType != null && contentType.startsWith("text/plain"), () -> "Content-Type of " + response);
        String body = response.text();
        assertFalse(body.isBlank(), "an empty body");
        assertTrue(body.length() < 300, () -> "a long body: " + body);
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("127.0.0.1"), body);
    }

    /** A refused request: the proxy's own {@code status}, exactly one answer, and the connection closed. */
    public static void assertRefusedAndClosed(Exchange exchange, int status) {
        assertProxyAnswer(exchange.response(), status);
        assertEquals("", exchange.rest(), () -> "more after the answer " + exchange.response());
        assertTrue(exchange.closed(), () -> "the connection stayed open after " + exchange.response());
    }

    /**
     * Nothing reached {@code backend} since {@code mark}: a fresh GET through {@code host} afterwards is the one
     * request the backend got since then, and no byte came before or after its head.
     */
    public static void assertNothingReachedSince(RawBackend backend, RawBackend.Mark mark, String host) {
        String sentinel = "sentinel-" + UUID.randomUUID();
        Response response = request("GET /" + sentinel + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        assertEquals(200, response.status(), () -> "the sentinel request: " + response);
        String since = backend.receivedSince(mark);
        String firstLine = since.contains("\r\n") ? since.substring(0, since.indexOf("\r\n")) : since;
        assertTrue(firstLine.startsWith("GET /") && firstLine.contains(sentinel) && since.endsWith("\r\n\r\n")
                && since.indexOf("\r\n\r\n") == since.length() - 4,
                () -> "the backend received more than the sentinel request:\n" + since);
    }

    // --- metrics and status -----------------------------------------------------------------------------------

    /** The Prometheus text of {@code /q/metrics}, fetched with the admin token. */
    public static String metrics() {
        return api().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the sample with exactly this name and these labels (sorted as Prometheus prints them), or NaN. */
    public static double sample(String metrics, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** A counter's value now; 0 while it has not been created. */
    public static double counter(String nameAndLabels) {
        double value = sample(metrics(), nameAndLabels);
        return Double.isNaN(value) ? 0 : value;
    }

    /** {@code td_proxy_rejected_requests_total} for one reason. */
    public static double rejected(String reason) {
        return counter("td_proxy_rejected_requests_total{reason=\"" + reason + "\"}");
    }

    /** A distributor's status view. */
    public static JsonPath status(String distributor) {
        return api().get("/api/v1/distributors/{name}/status", distributor).then().statusCode(200).extract().jsonPath();
    }

    /** One backend's health in the status view: UP, DOWN or UNKNOWN. */
    public static String health(String distributor, String backend) {
        return status(distributor).getString("backends.find { it.name == '" + backend + "' }.health");
    }

    /** One backend's consecutive failures in the status view. */
    public static int consecutiveFailures(String distributor, String backend) {
        return status(distributor).getInt("backends.find { it.name == '" + backend + "' }.consecutiveFailures");
    }

    /** How many times {@code part} occurs in {@code text}. */
    public static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    /** Checks that a streamed body follows {@link RawBackend}'s pattern and counts its bytes. */
    public static final class PatternCounter {
        private long count;
        private long firstMismatch = -1;

        public void add(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                if (firstMismatch < 0 && buffer[i] != (byte) (count + i)) {
                    firstMismatch = count + i;
                }
            }
            count += n;
        }

        public long count() {
            return count;
        }

        /** The offset of the first byte that is not the backend's, or -1. */
        public long firstMismatch() {
            return firstMismatch;
        }
    }

    /** One request as a backend received it: its head, its body decoded from its framing, and any bytes after it. */
    public record ReceivedRequest(HttpHead head, String body, String after) {
    }

    /** Parses the first request in {@code received} (ISO-8859-1 text of raw bytes); null when it holds no whole head. */
    public static ReceivedRequest parseRequest(String received) {
        try {
            InputStream in = new java.io.ByteArrayInputStream(received.getBytes(StandardCharsets.ISO_8859_1));
            HttpHead head = HttpHead.read(in);
            if (head == null) {
                return null;
            }
            InputStream body = head.chunked() ? HttpHead.dechunked(in)
                    : bounded(in, Math.max(0, head.contentLength()));
            String text = new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
            return new ReceivedRequest(head, text, new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new AssertionError("not a well-framed request:\n" + received, e);
        }
    }

    /** The request head lines of {@code text} that start a request ({@code METHOD target HTTP/1.1}). */
    public static List<String> requestLines(String text) {
        return Pattern.compile("(?m)^[A-Z]+ \\S+ HTTP/1\\.[01]\r$").matcher(text).results()
                .map(r -> r.group().trim()).toList();
    }
}
