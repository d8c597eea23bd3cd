package io.trafficdistributor.proxy;

import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.CompiledDistributor;
import io.trafficdistributor.routing.Routes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.OriginRequestProvider;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Sends a request to its distributor's backends, one attempt at a time, through vertx-http-proxy.
 * <p>
 * The library forwards (streams bodies, strips the standard hop-by-hop request headers) and calls two seams:
 * the {@link OriginRequestProvider}, which here picks a backend and connects, retrying the next candidate at
 * once when a connect fails (nothing was sent yet, so any method may be retried); and the
 * {@link ProxyInterceptor}, which here adds the X-Forwarded-* headers, cleans hop-by-hop response headers,
 * sets the sticky cookie and, for an idempotent request whose small body it holds in memory, sends it again
 * to the next backend when the first got no response head. The library has no notion of several origins
 * or of retrying, hence this class.
 */
final class Forwarder implements ProxyInterceptor, OriginRequestProvider {

    static final int REPLAYABLE_BODY_LIMIT = 64 * 1024;
    private static final String ATTEMPTS = "td.attempts";
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);
    private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
    private static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
    private static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
    private static final CharSequence X_FORWARDED_PORT = HttpHeaders.createOptimized("x-forwarded-port");
    /** Hop-by-hop headers (RFC 9110 §7.6.1) and their older relatives, never passed on in either direction. */
    private static final String[] HOP_BY_HOP = { "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "upgrade" };

    private final Vertx vertx;
    private final Routes routes;
    private final ProxyMetrics metrics;
    private final boolean accessLog;

    Forwarder(Vertx vertx, Routes routes, ProxyMetrics metrics, boolean accessLog) {
        this.vertx = vertx;
        this.routes = routes;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    // ---- request side -------------------------------------------------------------------------------

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        ProxyRequest request = context.request();
        HttpServerRequest client = request.proxiedRequest();
        Attempts attempts = attempts(context);
        if (attempts == null) {
            // The table changed between lookup and forwarding; answer as the lookup would now.
            return Future.succeededFuture(ProxyResponses.error(request.release().response(), 404,
                    "No distributor serves this host."));
        }
        prepareHeaders(request.headers(), client);
        long length = contentLength(client);
        boolean chunked = client.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        boolean idempotent = IDEMPOTENT.contains(client.method());
        if (length <= 0 && !chunked) {
            // No body: nothing to stream, and the request can be sent again as it is.
            request.setBody(null);
            client.resume();
            attempts.replayable = idempotent;
            return attempt(context, attempts);
        }
        if (idempotent && !chunked && length <= REPLAYABLE_BODY_LIMIT) {
            // Small enough to hold, so that a retry can send it again.
            Future<Buffer> body = client.body();
            client.resume();
            return body.compose(buffer -> {
                request.setBody(Body.body(buffer));
                attempts.replayable = true;
                return attempt(context, attempts);
            }, failure -> Future.succeededFuture(ProxyResponses.error(request.release().response(), 400,
                    "The request body could not be read.")));
        }
        // The response timeout is an idle timeout that only the backend's response data restarts, so an upload
        // that takes longer than it to send would be cut with a 504 although the backend is reading all along.
        Body streamed = request.getBody();
        request.setBody(Body.body(new ProgressStream(streamed.stream(), () -> {
            HttpClientRequest origin = attempts.origin;
            if (origin != null) {
                origin.idleTimeout(attempts.distributor.timeouts().responseMillis());
            }
        }), streamed.length()));
        return attempt(context, attempts);
    }

    private Future<ProxyResponse> attempt(ProxyContext context, Attempts attempts) {
        return context.sendRequest().recover(failure -> {
            CompiledDistributor distributor = attempts.distributor;
            if (context.request().proxiedRequest().response().closed()) {
                // The client hung up, which ended the attempt: no fault of the backend, nobody to answer or retry for.
                attempts.answeredByProxy = true;
                return Future.failedFuture(failure);
            }
            if (failure instanceof NoBackendConnected) {
                return Future.succeededFuture(noBackendAnswered(context, attempts, "no backend could be reached."));
            }
            boolean responseTimeout = failure instanceof TimeoutException;
            attempts.current.health().recordFailure(BackendHealth.Source.TRAFFIC,
                    attempts.attemptTimedOut ? "no response head within attemptMillis"
                            : responseTimeout ? "response timeout" : "connection closed without a response", null);
            if (attempts.replayable && attempts.hasUntried() && (attempts.attemptTimedOut || !responseTimeout)) {
                metrics.of(distributor).retryAfter(attempts.attemptTimedOut);
                return attempt(context, attempts);
            }
            attempts.answeredByProxy = true;
            if (responseTimeout) {
                return Future.succeededFuture(ProxyResponses.error(context.request().release().response(), 504,
                        "Distributor '" + distributor.name() + "': the backend did not answer in time."));
            }
            return Future.succeededFuture(noBackendAnswered(context, attempts,
                    "the backend closed the connection without answering."));
        });
    }

    /**
     * 502 when a backend believed available failed; 503 with Retry-After when every backend was DOWN. The
     * rest of the client's body is released (read and dropped), so the client can finish sending and read it.
     */
    private static ProxyResponse noBackendAnswered(ProxyContext context, Attempts attempts, String why) {
        String name = attempts.distributor.name();
        attempts.answeredByProxy = true;
        ProxyResponse response = context.request().release().response();
        return attempts.triedAvailable
                ? ProxyResponses.error(response, 502, "Distributor '" + name + "': " + why)
                : ProxyResponses.error(response, 503, "Distributor '" + name + "': no backend is available.");
    }

    private static void prepareHeaders(MultiMap headers, HttpServerRequest client) {
        removeConnectionListed(headers);
        String remote = client.remoteAddress() == null ? null : client.remoteAddress().hostAddress();
        if (remote != null) {
            String previous = headers.get(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, previous == null ? remote : previous + ", " + remote);
        }
        headers.set(X_FORWARDED_PROTO, client.isSSL() ? "https" : "http");
        headers.set(X_FORWARDED_HOST, client.authority().toString());
        headers.set(X_FORWARDED_PORT, Integer.toString(client.localAddress().port()));
    }

    /** Removes the headers a {@code Connection} header names (they are hop-by-hop too), then the standard ones. */
    private static void removeConnectionListed(MultiMap headers) {
        for (String connection : headers.getAll(HttpHeaders.CONNECTION)) {
            for (String name : connection.split(",")) {
                String trimmed = name.trim();
                if (!trimmed.isEmpty()) {
                    headers.remove(trimmed);
                }
            }
        }
        for (String name : HOP_BY_HOP) {
            headers.remove(name);
        }
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

    private Attempts attempts(ProxyContext context) {
        Attempts attempts = context.get(ATTEMPTS, Attempts.class);
        if (attempts == null) {
            HttpServerRequest client = context.request().proxiedRequest();
            CompiledDistributor distributor = client.authority() == null ? null
                    : routes.table().lookup(client.authority().host());
            if (distributor == null) {
                return null;
            }
            CompiledBackend affinity = null;
            if (distributor.routing() == io.trafficdistributor.domain.RoutingMethod.STICKY_SESSIONS) {
                Cookie cookie = client.getCookie(distributor.stickySession().cookieName());
                affinity = cookie == null ? null : distributor.backendForStickyToken(cookie.getValue());
            }
            attempts = new Attempts(distributor, affinity, client.uri(), client.authority());
            context.set(ATTEMPTS, attempts);
        }
        return attempts;
    }

    // ---- choosing and connecting ----------------------------------------------------------------------

    @Override
    public Future<HttpClientRequest> create(ProxyContext context) {
        Attempts attempts = attempts(context);
        if (attempts == null) {
            return Future.failedFuture(new NoBackendConnected());
        }
        return connectNext(context, attempts);
    }

    private Future<HttpClientRequest> connectNext(ProxyContext context, Attempts attempts) {
        CompiledBackend backend = attempts.next();
        if (backend == null) {
            return Future.failedFuture(new NoBackendConnected());
        }
        CompiledDistributor distributor = attempts.distributor;
        ProxyRequest request = context.request();
        request.setURI(backend.uriFor(attempts.originalUri));
        if (distributor.passHostHeader()) {
            request.setAuthority(attempts.clientAuthority);
        }
        RequestOptions options = new RequestOptions()
                .setServer(backend.address())
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.https())
                .setConnectTimeout(distributor.timeouts().connectMillis())
                .setIdleTimeout(distributor.timeouts().responseMillis());
        HttpClient client = context.client();
        return client.request(options).compose(origin -> {
            attempts.origin = origin;
            armAttemptTimer(origin, attempts);
            origin.response().onSuccess(r -> backend.health().recordSuccess(BackendHealth.Source.TRAFFIC, 0));
            return Future.succeededFuture(origin);
        }, connectFailure -> {
            backend.health().recordFailure(BackendHealth.Source.TRAFFIC, "connect failed: " + connectFailure.getMessage(), null);
            if (!attempts.hasUntried()) {
                return Future.failedFuture(new NoBackendConnected());
            }
            metrics.of(distributor).retryAfterConnectFailure();
            return connectNext(context, attempts);
        });
    }

    /** With {@code attemptMillis}, a replayable request whose backend sends no response head in time moves on. */
    private void armAttemptTimer(HttpClientRequest origin, Attempts attempts) {
        Integer attemptMillis = attempts.distributor.timeouts().attemptMillis();
        if (attemptMillis == null || !attempts.replayable || !attempts.hasUntried()) {
            return;
        }
        long timer = vertx.setTimer(attemptMillis, id -> {
            attempts.attemptTimedOut = true;
            origin.reset(0, new TimeoutException("no response head within attemptMillis"));
        });
        origin.response().onComplete(ar -> vertx.cancelTimer(timer));
    }

    // ---- response side --------------------------------------------------------------------------------

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        ProxyResponse response = context.response();
        Attempts attempts = context.get(ATTEMPTS, Attempts.class);
        removeConnectionListed(response.headers());
        if (attempts != null && attempts.current != null && attempts.current != attempts.affinity
                && attempts.distributor.routing() == io.trafficdistributor.domain.RoutingMethod.STICKY_SESSIONS
                && response.getStatusCode() < 500) {
            response.headers().add(HttpHeaders.SET_COOKIE, stickyCookie(attempts, context.request().proxiedRequest()));
        }
        if (attempts == null) {
            return context.sendResponse();
        }
        int status = response.getStatusCode();
        CompiledBackend answeredBy = attempts.answeredByProxy ? null : attempts.current;
        if (answeredBy != null) {
            metrics.of(attempts.distributor).responding(answeredBy, status);
        }
        return context.sendResponse().onComplete(sent -> {
            metrics.of(attempts.distributor).answered(answeredBy, status, attempts.startNanos);
            if (accessLog) {
                AccessLog.write(context.request().proxiedRequest(), attempts.distributor.name(), answeredBy, status,
                        attempts.startNanos, attempts.count);
            }
        });
    }

    private static String stickyCookie(Attempts attempts, HttpServerRequest client) {
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

    /** Every backend was tried and none accepted a connection. */
    static final class NoBackendConnected extends RuntimeException {
        NoBackendConnected() {
            super(null, null, false, false);
        }
    }
}
