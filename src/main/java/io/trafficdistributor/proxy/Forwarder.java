package io.trafficdistributor.proxy;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.CompiledDistributor;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;

/**
 * Sends a request to its distributor's backends, one attempt at a time, on Vert.x core's HTTP server and
 * pooled client; a WebSocket upgrade becomes a tunnel between the two connections once the backend agrees.
 * <p>
 * Per attempt: the balancer picks among the untried backends that are not DOWN; a failed connect moves on at
 * once, for any method, since nothing was sent; an idempotent request whose small body is held in memory is
 * also sent again to the next backend when the first closed without a response head, or gave none within
 * {@code attemptMillis}. The request head is copied once, straight from the client's headers into the
 * backend request (hop-by-hop headers and those {@code Connection} names left out, X-Forwarded-* added), and
 * the response head once the other way; bodies stream with back-pressure.
 * <p>
 * This replaced vertx-http-proxy: that library copies every head twice, parses the backend's {@code Date} and
 * {@code Cache-Control} and formats a new {@code Date} on each response, and runs each request through several
 * promises and interceptor hops, which cost a third of the proxy's throughput (see README, Performance); and
 * its WebSocket path dropped the backend's base path and the X-Forwarded-* headers.
 */
final class Forwarder {

    static final int REPLAYABLE_BODY_LIMIT = 64 * 1024;
    /** What the access log and metrics record when the client went away before its response: NGINX's code. */
    static final int CLIENT_CLOSED = 499;
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);
    private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
    private static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
    private static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
    private static final CharSequence X_FORWARDED_PORT = HttpHeaders.createOptimized("x-forwarded-port");

    private final Vertx vertx;
    private final HttpClient httpClient;
    private final ProxyMetrics metrics;
    private final boolean accessLog;

    Forwarder(Vertx vertx, HttpClient httpClient, ProxyMetrics metrics, boolean accessLog) {
        this.vertx = vertx;
        this.httpClient = httpClient;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    /** Forwards one request of an enabled distributor; answers it whatever happens. */
    void forward(HttpServerRequest client, CompiledDistributor distributor) {
        CompiledBackend affinity = null;
        if (distributor.routing() == RoutingMethod.STICKY_SESSIONS) {
            Cookie cookie = client.getCookie(distributor.stickySession().cookieName());
            affinity = cookie == null ? null : distributor.backendForStickyToken(cookie.getValue());
        }
        long length = contentLength(client);
        Exchange exchange = new Exchange(client, new Attempts(distributor, affinity, client.uri(), client.authority()),
                length);
        // A client that hangs up while its backend works ends the backend request too, so the connection is not
        // handed back to the pool in the middle of a response.
        client.response().exceptionHandler(failure -> {
            if (exchange.origin != null) {
                exchange.origin.reset(0, failure);
            }
        });
        boolean chunked = client.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        boolean idempotent = IDEMPOTENT.contains(client.method());
        if (isWebSocketUpgrade(client)) {
            exchange.upgrade = true;
            exchange.attempts.replayable = true; // a GET without a body, sent again if a backend closes unanswered
            exchange.connect();
        } else if (length <= 0 && !chunked) {
            // No body: the request can be sent again as it is.
            exchange.attempts.replayable = idempotent;
            exchange.connect();
        } else if (idempotent && !chunked && length <= REPLAYABLE_BODY_LIMIT) {
            // Small enough to hold, so that a retry can send it again.
            client.body().onComplete(body -> {
                if (body.failed()) {
                    exchange.answerItself(400, "The request body could not be read.");
                    return;
                }
                exchange.body = body.result();
                exchange.attempts.replayable = true;
                exchange.connect();
            });
        } else {
            // Streamed: held back until a backend is connected, then piped with back-pressure.
            client.pause();
            exchange.streamed = true;
            exchange.connect();
        }
    }

    /** One client request on its way: the attempts so far, the body to send, the backend request. */
    private final class Exchange {
        final HttpServerRequest client;
        final Attempts attempts;
        /** The client's Content-Length, or -1 (then chunked when {@link #streamed}, else no body). */
        final long contentLength;
        /** The body held in memory for a replayable request, or null. */
        Buffer body;
        /** Whether the body streams from the client (sent once, never replayed). */
        boolean streamed;
        /** A WebSocket upgrade: a 101 from the backend turns both connections into one tunnel. */
        boolean upgrade;
        /** The request to the current backend, once connected. */
        HttpClientRequest origin;
        long attemptTimer = -1;

        Exchange(HttpServerRequest client, Attempts attempts, long contentLength) {
            this.client = client;
            this.attempts = attempts;
            this.contentLength = contentLength;
        }

        void connect() {
            CompiledBackend backend = attempts.next();
            if (backend == null) {
                noBackendAnswered("no backend could be reached.");
                return;
            }
            CompiledDistributor distributor = attempts.distributor;
            RequestOptions options = new RequestOptions()
                    .setMethod(client.method())
                    .setURI(backend.uriFor(attempts.originalUri))
                    .setServer(backend.address())
                    .setHost(backend.host())
                    .setPort(backend.port())
                    .setSsl(backend.https())
                    .setConnectTimeout(distributor.timeouts().connectMillis())
                    .setIdleTimeout(distributor.timeouts().responseMillis());
            httpClient.request(options, connected -> {
                if (connected.succeeded()) {
                    send(backend, connected.result());
                } else {
                    connectFailed(backend, connected.cause());
                }
            });
        }

        private void connectFailed(CompiledBackend backend, Throwable failure) {
            backend.health().recordFailure(BackendHealth.Source.TRAFFIC, "connect failed: " + failure.getMessage(), null);
            if (client.response().closed()) {
                clientGone();
            } else if (!attempts.hasUntried()) {
                noBackendAnswered("no backend could be reached.");
            } else {
                metrics.of(attempts.distributor).retryAfterConnectFailure();
                connect();
            }
        }

        private void send(CompiledBackend backend, HttpClientRequest origin) {
            if (client.response().closed()) {
                // Gone while we connected: nothing to send for. The connection returns to the pool unused.
                origin.reset();
                clientGone();
                return;
            }
            this.origin = origin;
            copyRequestHead(origin);
            Handler<AsyncResult<HttpClientResponse>> onResponse = response -> {
                cancelAttemptTimer();
                if (response.failed()) {
                    attemptFailed(response.cause());
                    return;
                }
                backend.health().recordSuccess(BackendHealth.Source.TRAFFIC, 0);
                if (upgrade && response.result().statusCode() == 101) {
                    tunnel(backend, response.result());
                } else {
                    relay(backend, origin, response.result());
                }
            };
            if (upgrade) {
                origin.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
                origin.putHeader(HttpHeaders.UPGRADE, client.getHeader(HttpHeaders.UPGRADE));
                armAttemptTimer(origin);
                origin.connect(onResponse);
                return;
            }
            origin.response(onResponse);
            armAttemptTimer(origin);
            if (streamed) {
                if (contentLength >= 0) {
                    origin.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(contentLength));
                } else {
                    origin.setChunked(true);
                }
                // The response timeout is an idle timeout that only the backend's response data restarts, so an
                // upload that takes longer than it to send would be cut with a 504 although the backend is reading.
                long responseMillis = attempts.distributor.timeouts().responseMillis();
                Pipe<Buffer> pipe = new ProgressStream(client, () -> origin.idleTimeout(responseMillis)).pipe();
                pipe.endOnFailure(false);
                pipe.to(origin, sent -> {
                    if (sent.failed()) {
                        origin.reset();
                    }
                });
            } else if (body != null) {
                origin.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
                origin.end(body);
            } else {
                if (contentLength == 0) {
                    origin.putHeader(HttpHeaders.CONTENT_LENGTH, "0");
                }
                origin.end();
            }
        }

        /** The client's head, less hop-by-hop headers and Host, plus X-Forwarded-*, onto the backend request. */
        private void copyRequestHead(HttpClientRequest origin) {
            MultiMap from = client.headers();
            MultiMap to = origin.headers();
            String connection = HopByHop.connectionTokens(from);
            String forwardedFor = null;
            for (Map.Entry<String, String> header : from) {
                String name = header.getKey();
                if (HopByHop.dropped(name, connection) || HttpHeaders.HOST.toString().equalsIgnoreCase(name)) {
                    continue;
                }
                if (HttpHeaders.CONTENT_LENGTH.toString().equalsIgnoreCase(name)) {
                    continue; // set from the body actually sent
                }
                if (X_FORWARDED_FOR.toString().equalsIgnoreCase(name)) {
                    forwardedFor = forwardedFor == null ? header.getValue() : forwardedFor + ", " + header.getValue();
                    continue;
                }
                if (isForwardedByUs(name)) {
                    continue;
                }
                to.add(name, header.getValue());
            }
            if (attempts.distributor.passHostHeader()) {
                origin.authority(attempts.clientAuthority);
            }
            String remote = client.remoteAddress() == null ? null : client.remoteAddress().hostAddress();
            if (remote != null) {
                to.set(X_FORWARDED_FOR, forwardedFor == null ? remote : forwardedFor + ", " + remote);
            } else if (forwardedFor != null) {
                to.set(X_FORWARDED_FOR, forwardedFor);
            }
            to.set(X_FORWARDED_PROTO, client.isSSL() ? "https" : "http");
            to.set(X_FORWARDED_HOST, attempts.clientAuthority.toString());
            to.set(X_FORWARDED_PORT, Integer.toString(client.localAddress().port()));
        }

        /** With {@code attemptMillis}, a replayable request whose backend sends no response head in time moves on. */
        private void armAttemptTimer(HttpClientRequest origin) {
            Integer attemptMillis = attempts.distributor.timeouts().attemptMillis();
            if (attemptMillis == null || !attempts.replayable || !attempts.hasUntried()) {
                return;
            }
            attemptTimer = vertx.setTimer(attemptMillis, id -> {
                attemptTimer = -1;
                attempts.attemptTimedOut = true;
                origin.reset(0, new TimeoutException("no response head within attemptMillis"));
            });
        }

        private void cancelAttemptTimer() {
            if (attemptTimer != -1) {
                vertx.cancelTimer(attemptTimer);
                attemptTimer = -1;
            }
        }

        /** The backend request ended without a response head. */
        private void attemptFailed(Throwable failure) {
            if (client.response().closed()) {
                // The client hung up, which ended the attempt: no fault of the backend, nobody to answer or retry for.
                clientGone();
                return;
            }
            boolean responseTimeout = failure instanceof TimeoutException;
            attempts.current.health().recordFailure(BackendHealth.Source.TRAFFIC,
                    attempts.attemptTimedOut ? "no response head within attemptMillis"
                            : responseTimeout ? "response timeout" : "connection closed without a response", null);
            if (attempts.replayable && attempts.hasUntried() && (attempts.attemptTimedOut || !responseTimeout)) {
                metrics.of(attempts.distributor).retryAfter(attempts.attemptTimedOut);
                connect();
            } else if (responseTimeout) {
                answerItself(504, "Distributor '" + attempts.distributor.name() + "': the backend did not answer in time.");
            } else {
                noBackendAnswered("the backend closed the connection without answering.");
            }
        }

        /** Passes the backend's response on: its head once, its body streamed with back-pressure. */
        private void relay(CompiledBackend backend, HttpClientRequest origin, HttpClientResponse response) {
            HttpServerResponse out = client.response();
            if (out.closed()) {
                origin.reset(); // the connection is mid-response: never back to the pool
                clientGone();
                return;
            }
            int status = response.statusCode();
            out.setStatusCode(status);
            out.setStatusMessage(response.statusMessage());
            MultiMap from = response.headers();
            MultiMap to = out.headers();
            String connection = HopByHop.connectionTokens(from);
            boolean hasLength = false;
            boolean hasDate = false;
            for (Map.Entry<String, String> header : from) {
                String name = header.getKey();
                if (HopByHop.dropped(name, connection)) {
                    continue; // Transfer-Encoding among them: the proxy frames the body itself
                }
                hasLength |= HttpHeaders.CONTENT_LENGTH.toString().equalsIgnoreCase(name);
                hasDate |= HttpHeaders.DATE.toString().equalsIgnoreCase(name);
                to.add(name, header.getValue());
            }
            if (!hasDate) {
                to.set(HttpHeaders.DATE, HttpDate.now()); // RFC 9110 §6.6.1: a forwarding recipient adds one
            }
            if (attempts.current != attempts.affinity && status < 500
                    && attempts.distributor.routing() == RoutingMethod.STICKY_SESSIONS) {
                to.add(HttpHeaders.SET_COOKIE, stickyCookie());
            }
            metrics.of(attempts.distributor).responding(backend, status);
            boolean bodiless = client.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
            if (!hasLength && !bodiless) {
                if (client.version() == HttpVersion.HTTP_1_0) {
                    // An HTTP/1.0 client cannot read chunks: hold the body and send it with its length.
                    response.body().onComplete(whole -> {
                        if (whole.succeeded()) {
                            out.end(whole.result()).onComplete(sent -> done(backend, status));
                        } else {
                            out.reset();
                            done(backend, status);
                        }
                    });
                    return;
                }
                out.setChunked(true);
            }
            Pipe<Buffer> pipe = response.pipe();
            pipe.endOnFailure(false);
            pipe.to(out, sent -> {
                if (sent.failed()) {
                    origin.reset();
                    out.reset();
                }
                done(backend, status);
            });
        }

        /** The backend switched protocols: its 101 goes to the client, then bytes flow both ways until either closes. */
        private void tunnel(CompiledBackend backend, HttpClientResponse response) {
            HttpServerResponse out = client.response();
            out.headers().addAll(response.headers());
            metrics.of(attempts.distributor).responding(backend, 101);
            client.toNetSocket().onComplete(accepted -> {
                NetSocket backendSocket = response.netSocket();
                if (accepted.failed()) {
                    backendSocket.close();
                    done(backend, 101);
                    return;
                }
                NetSocket clientSocket = accepted.result();
                clientSocket.pipeTo(backendSocket);
                backendSocket.pipeTo(clientSocket);
                done(backend, 101);
            });
        }

        private String stickyCookie() {
            var settings = attempts.distributor.stickySession();
            Cookie cookie = Cookie.cookie(settings.cookieName(), attempts.current.stickyToken())
                    .setPath("/")
                    .setHttpOnly(true)
                    .setSecure(client.isSSL())
                    .setSameSite(switch (settings.sameSite()) {
                        case Strict -> CookieSameSite.STRICT;
                        case Lax -> CookieSameSite.LAX;
                        case None -> CookieSameSite.NONE;
                    });
            if (settings.maxAgeSeconds() != null) {
                cookie.setMaxAge(settings.maxAgeSeconds());
            }
            return cookie.encode();
        }

        /**
         * 502 when a backend believed available failed; 503 with Retry-After when every backend was DOWN.
         */
        private void noBackendAnswered(String why) {
            String name = attempts.distributor.name();
            if (attempts.triedAvailable) {
                answerItself(502, "Distributor '" + name + "': " + why);
            } else {
                answerItself(503, "Distributor '" + name + "': no backend is available.");
            }
        }

        /**
         * An answer of the proxy's own. The rest of the client's body is read and dropped, so the client can
         * finish sending and read the answer.
         */
        void answerItself(int status, String message) {
            if (client.response().closed()) {
                clientGone();
                return;
            }
            client.handler(null);
            client.endHandler(null);
            client.resume();
            ProxyResponses.end(client.response(), status, message).onComplete(sent -> done(null, status));
        }

        private void clientGone() {
            done(null, CLIENT_CLOSED);
        }

        /** The exchange is over: counted and, when enabled, logged. {@code backend} null: the proxy answered. */
        private void done(CompiledBackend backend, int status) {
            metrics.of(attempts.distributor).answered(backend, status, attempts.startNanos);
            if (accessLog) {
                AccessLog.write(client, attempts.distributor.name(), backend, status, attempts.startNanos,
                        attempts.count);
            }
        }
    }

    /** A GET asking to switch to WebSocket (RFC 6455 §4.1): {@code Upgrade: websocket}, {@code Connection: upgrade}. */
    private static boolean isWebSocketUpgrade(HttpServerRequest client) {
        if (client.method() != HttpMethod.GET) {
            return false;
        }
        String upgrade = client.getHeader(HttpHeaders.UPGRADE);
        String connection = HopByHop.connectionTokens(client.headers());
        return upgrade != null && connection != null && HopByHop.listedIn(upgrade, "websocket")
                && HopByHop.listedIn(connection, "upgrade");
    }

    private static boolean isForwardedByUs(String name) {
        return name.length() > 12 && (X_FORWARDED_PROTO.toString().equalsIgnoreCase(name)
                || X_FORWARDED_HOST.toString().equalsIgnoreCase(name)
                || X_FORWARDED_PORT.toString().equalsIgnoreCase(name));
    }

    private static long contentLength(HttpServerRequest client) {
        String header = client.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A request body on its way to the backend, reporting each chunk as it passes. */
    private static final class ProgressStream implements ReadStream<Buffer> {
        private final ReadStream<Buffer> source;
        private final Runnable progress;

        ProgressStream(ReadStream<Buffer> source, Runnable progress) {
            this.source = source;
            this.progress = progress;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            source.handler(handler == null ? null : chunk -> {
                progress.run();
                handler.handle(chunk);
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            source.exceptionHandler(handler);
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            source.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            source.resume();
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            source.fetch(amount);
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            source.endHandler(endHandler);
            return this;
        }
    }
}
