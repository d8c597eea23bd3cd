package io.trafficdistributor.proxy;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.health.ConnectFailures;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.CompiledDistributor;

/**
 * One request's life: its body read (whole when it is small, so it can be sent again and a slow client holds no
 * backend connection), a backend picked and a pooled connection taken, the request sent, the response relayed
 * with back-pressure, and the outcome counted. On its client's event loop only.
 * <p>
 * The retry rule: a failed connect, or a pool that stayed busy, moves on to the
 * next backend for any method, since nothing was sent; a request that was sent and got no response head moves on
 * only when it is idempotent and its body was held whole; the same for {@code attemptMillis}. A kept-alive
 * connection the backend had closed meanwhile is replaced once on the same backend, for the same requests.
 * <p>
 * Blame, in one place ({@link #blame}): only what a backend did (a refused or failed connect, a close or reset
 * before a complete response head, a response timeout, a malformed response) counts against its health, never
 * what the client did.
 */
final class Exchange implements BackendPool.Waiter, BackendConnection.User {

    /** What the access log and metrics record when the client went away before its response: NGINX's code. */
    static final int CLIENT_CLOSED = 499;

    private static final io.netty.util.AsciiString STRICT_TRANSPORT_SECURITY =
            io.netty.util.AsciiString.cached("strict-transport-security");
    private final ClientHandler client;
    private final ProxyWorker worker;
    private final Channel clientChannel;
    private final HttpRequest request;
    private final String pathAndQuery;
    private final String upgradeTo;
    private final boolean expectContinue;
    private final Attempts attempts;
    private final boolean keepAlive;
    private final boolean headRequest;
    private final boolean http10;
    private final boolean idempotent;
    /** The client's Content-Length, or -1 for a chunked body. */
    private final long declaredLength;
    private final boolean bodyless;
    private final boolean zeroLength;

    // The request body.
    private CompositeByteBuf held;
    private long bodyBytesIn;
    private boolean requestEnded;
    private HttpHeaders trailers = EmptyHttpHeaders.INSTANCE;
    /** Too large to hold: sent once, as it arrives. */
    private boolean streaming;
    /** Idempotent with its whole body held (or none): it may be sent again. */
    private boolean replayable;
    private long lastBodyRead;
    private ScheduledFuture<?> bodyTimer;

    // The attempt in progress.
    private CompiledBackend backend;
    private BackendConnection connection;
    private BackendPool waitingIn;
    private ScheduledFuture<?> poolTimer;
    private boolean reused;
    private boolean staleRetried;
    private boolean headSent;
    private boolean requestSent;
    /** The body goes to the backend in chunks (its length is unknown, or it has trailers). */
    private boolean chunkedToBackend;
    private ScheduledFuture<?> attemptTimer;
    private boolean attemptTimedOut;

    // The response.
    private boolean responseStarted;
    private boolean interim;
    private int status;
    private boolean backendKeepAlive;
    private ResponseHeads.Framing framing;
    private boolean closeAfter;
    private boolean unflushed;
    private long bytesOut;
    private boolean finished;

    Exchange(ClientHandler client, HttpRequest request, String pathAndQuery, CompiledDistributor distributor,
            CompiledBackend affinity, String upgradeTo, boolean expectContinue, boolean keepAlive) {
        this.client = client;
        this.worker = client.worker();
        this.clientChannel = client.channel();
        this.request = request;
        this.pathAndQuery = pathAndQuery;
        this.upgradeTo = upgradeTo;
        this.expectContinue = expectContinue;
        this.attempts = new Attempts(distributor, affinity);
        this.keepAlive = keepAlive;
        HttpMethod method = request.method();
        this.headRequest = method == HttpMethod.HEAD;
        this.http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        this.idempotent = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        long length = chunked ? -1 : HttpUtil.getContentLength(request, 0L);
        this.declaredLength = length;
        this.bodyless = length == 0;
        this.zeroLength = length == 0 && request.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        request.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        request.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
    }

    void start() {
        if (bodyless) {
            replayable = idempotent || upgradeTo != null;
            connect();
            return;
        }
        if (expectContinue) {
            clientChannel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
        held = clientChannel.alloc().compositeBuffer(1024);
        lastBodyRead = System.nanoTime();
        armBodyTimer(worker.settings.bodyTimeoutMillis());
        if (declaredLength > worker.settings.requestBuffer()) {
            streaming = true;
            connect();
        }
    }

    boolean requestEnded() {
        return requestEnded;
    }

    /** Whether the client's connection should be read now. */
    boolean wantsClientBytes() {
        if (requestEnded) {
            return true; // the next request's bytes: the client handler holds them
        }
        if (connection == null) {
            return held == null || held.readableBytes() < worker.settings.requestBuffer();
        }
        return connection.channel().isWritable();
    }

    // ---- the request body -------------------------------------------------------------------------------------

    void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestEnded = true;
            cancel(bodyTimer);
            if (!((LastHttpContent) content).trailingHeaders().isEmpty()) {
                trailers = ((LastHttpContent) content).trailingHeaders();
            }
        }
        if (bodyless || finished) {
            content.release();
            return;
        }
        int bytes = content.content().readableBytes();
        bodyBytesIn += bytes;
        lastBodyRead = System.nanoTime();
        if (streaming && headSent) {
            connection.touch(); // an upload in progress is no silent backend
            Channel backendChannel = connection.channel();
            writeBody(backendChannel, content.content(), last);
            backendChannel.flush();
            if (last) {
                requestSent = true;
            } else if (!backendChannel.isWritable()) {
                client.updateRead(); // the backend takes the body slower than the client sends it
            }
            return;
        }
        if (bytes > 0) {
            held.addComponent(true, content.content());
        } else {
            content.release();
        }
        if (!streaming && !requestEnded && held.readableBytes() >= worker.settings.requestBuffer()) {
            streaming = true; // a chunked body larger than the buffer
            connect();
        } else if (!streaming && requestEnded) {
            replayable = idempotent;
            connect();
        }
        client.updateRead();
    }

    /** The client's body broke its framing: the backend connection (if any) cannot be reused; no blame. */
    void requestBodyMalformed() {
        if (!finished) {
            dropConnection(); // the backend has part of a body that will never be whole
            end();
            done(null, 400);
        }
    }

    private void armBodyTimer(long delayMillis) {
        if (delayMillis > 0) {
            bodyTimer = clientChannel.eventLoop().schedule(this::bodyTimerFired, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void bodyTimerFired() {
        if (finished || requestEnded) {
            return;
        }
        if (!wantsClientBytes()) {
            lastBodyRead = System.nanoTime(); // the proxy is not reading (its backend is slow to take it): no client fault
        }
        long timeout = worker.settings.bodyTimeoutMillis();
        long remaining = timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastBodyRead);
        if (remaining > 0) {
            armBodyTimer(remaining);
            return;
        }
        worker.metrics.bodyTimeout();
        answerItself(408, "The request body did not arrive in time (" + timeout + " ms between reads).");
    }

    // ---- attempts ---------------------------------------------------------------------------------------------

    private void connect() {
        backend = attempts.next();
        if (backend == null) {
            noBackendAnswered("no backend could be reached.");
            return;
        }
        acquire(false);
    }

    private void acquire(boolean fresh) {
        BackendPool pool = worker.pool(backend);
        int connectMillis = attempts.distributor.timeouts().connectMillis();
        if (!pool.acquire(this, connectMillis, fresh)) {
            waitingIn = pool;
            poolTimer = clientChannel.eventLoop().schedule(this::poolTimedOut, connectMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Every connection to the backend stayed busy: no fault of the backend's health, so no blame. */
    private void poolTimedOut() {
        poolTimer = null;
        if (waitingIn == null || finished) {
            return;
        }
        waitingIn.cancel(this);
        waitingIn = null;
        worker.metrics.of(attempts.distributor).poolExhausted();
        if (attempts.hasUntried()) {
            connect();
        } else {
            answerItself(503, "Distributor '" + attempts.distributor.name() + "': every backend is busy.");
        }
    }

    @Override
    public void connected(BackendConnection connection, boolean reused) {
        waitingIn = null;
        cancel(poolTimer);
        if (finished) {
            connection.release(true);
            return;
        }
        this.connection = connection;
        this.reused = reused;
        connection.use(this);
        send();
    }

    @Override
    public void connectFailed(Throwable cause) {
        waitingIn = null;
        cancel(poolTimer);
        if (finished) {
            return;
        }
        blame("connect failed: " + ConnectFailures.describe(cause, backend.host()));
        if (attempts.hasUntried()) {
            worker.metrics.of(attempts.distributor).retryAfterConnectFailure();
            connect();
        } else {
            noBackendAnswered("no backend could be reached.");
        }
    }

    private void send() {
        Channel backendChannel = connection.channel();
        HttpHeaders headers = request.headers();
        String uri = RequestTarget.withBasePath(backend.basePath(), pathAndQuery);
        if (!attempts.distributor.passHostHeader()) {
            headers.set(HttpHeaderNames.HOST, backendAuthority(backend));
        }
        if (upgradeTo != null) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
        connection.expectResponseTo(headRequest);
        ByteBufAllocator alloc = backendChannel.alloc();
        if (bodyless) {
            if (zeroLength) {
                headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            }
            backendChannel.writeAndFlush(Http1Writer.requestHead(alloc, request.method().asciiName(), uri, headers));
            requestSent = true;
        } else if (!streaming) {
            framing(headers, held.readableBytes());
            ByteBuf body = replayable ? held.retainedDuplicate() : held;
            if (!replayable) {
                held = null;
            }
            backendChannel.write(Http1Writer.requestHead(alloc, request.method().asciiName(), uri, headers));
            writeBody(backendChannel, body, true);
            backendChannel.flush();
            requestSent = true;
        } else {
            framing(headers, declaredLength);
            backendChannel.write(Http1Writer.requestHead(alloc, request.method().asciiName(), uri, headers));
            ByteBuf part = held;
            held = null;
            writeBody(backendChannel, part, requestEnded);
            backendChannel.flush();
            requestSent = requestEnded;
        }
        headSent = true;
        connection.watchSilence(attempts.distributor.timeouts().responseMillis());
        Integer attemptMillis = attempts.distributor.timeouts().attemptMillis();
        if (attemptMillis != null && replayable && attempts.hasUntried()) {
            attemptTimer = clientChannel.eventLoop().schedule(this::attemptTimedOut, attemptMillis, TimeUnit.MILLISECONDS);
        }
        client.updateRead();
    }

    /** The body's framing towards the backend: its length when known, else chunked (trailers need chunks too). */
    private void framing(HttpHeaders headers, long length) {
        chunkedToBackend = length < 0 || !trailers.isEmpty();
        if (chunkedToBackend) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
    }

    /** A part of the request body, framed as its head told the backend: as it is, or as a chunk (and the last one). */
    private void writeBody(Channel backendChannel, ByteBuf part, boolean last) {
        Http1Writer.writeBody(backendChannel, backendChannel.alloc(), part, chunkedToBackend, last ? trailers : null);
    }

    private static String backendAuthority(CompiledBackend backend) {
        String host = backend.host().indexOf(':') >= 0 ? "[" + backend.host() + "]" : backend.host();
        boolean defaultPort = backend.port() == (backend.https() ? 443 : 80);
        return defaultPort ? host : host + ":" + backend.port();
    }

    private void attemptTimedOut() {
        attemptTimer = null;
        if (finished || responseStarted || connection == null) {
            return;
        }
        attemptTimedOut = true;
        blame("no response head within " + attempts.distributor.timeouts().attemptMillis() + " ms (attemptMillis)");
        dropConnection();
        worker.metrics.of(attempts.distributor).retryAfter(true);
        connect();
    }

    /** {@code responseMillis}: the backend was silent that long, counted from the last thing either side sent. */
    @Override
    public void backendSilent() {
        if (finished || connection == null) {
            return;
        }
        if (responseStarted) {
            cutResponse();
            return;
        }
        blame("response timeout");
        dropConnection();
        answerItself(504, "Distributor '" + attempts.distributor.name() + "': the backend did not answer in time.");
    }

    // ---- the response -----------------------------------------------------------------------------------------

    @Override
    public void backendRead(HttpObject message) {
        if (message instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(message);
                noResponse("malformed response");
                return;
            }
            head(response);
            if (message instanceof HttpContent content) {
                body(content);
            }
            return;
        }
        body((HttpContent) message);
    }

    private void head(HttpResponse response) {
        int code = response.status().code();
        if (code == 101) {
            if (upgradeTo != null && !finished) {
                tunnel(response);
            } else {
                blame("switched protocols unasked");
                dropConnection();
                answerItself(502, "Distributor '" + attempts.distributor.name()
                        + "': the backend switched protocols, which the client did not ask for.");
            }
            return;
        }
        if (code < 200) {
            interim = true; // 100, 102, 103: the proxy answered Expect itself; the final response follows
            return;
        }
        if (finished) {
            return;
        }
        cancel(attemptTimer);
        backend.health().recordSuccess(BackendHealth.Source.TRAFFIC, 0);
        status = code;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        HttpHeaders headers = response.headers();
        framing = ResponseHeads.rewrite(headers, code, headRequest, http10);
        closeAfter = !keepAlive || framing == ResponseHeads.Framing.CLOSE || client.draining();
        if (closeAfter) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (client.secure() && attempts.distributor.hsts() != null) {
            headers.set(STRICT_TRANSPORT_SECURITY, attempts.distributor.hsts());
        }
        if (backend != attempts.affinity && code < 500 && attempts.distributor.routing() == RoutingMethod.STICKY_SESSIONS) {
            headers.add(HttpHeaderNames.SET_COOKIE, stickyCookie());
        }
        worker.metrics.of(attempts.distributor).responding(backend, code);
        responseStarted = true;
        if (client.http2()) {
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            clientChannel.write(response); // the stream's codec turns it into HTTP/2 frames
        } else {
            client.http1Out().write(Http1Writer.responseHead(clientChannel.alloc(), response.status(), headers));
        }
        unflushed = true;
    }

    private void body(HttpContent content) {
        if (interim || finished || !responseStarted) {
            if (content instanceof LastHttpContent) {
                interim = false;
            }
            content.release();
            return;
        }
        bytesOut += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (client.http2()) {
            clientChannel.write(content);
        } else {
            relayHttp1(content, last);
        }
        if (last) {
            unflushed = false;
            responseEnded();
            return;
        }
        // The client reads slower than the backend sends: the backend waits until the client has caught up.
        unflushed = !Backpressure.pauseWhileFull(connection.channel(), clientChannel);
    }

    /** A part of the response body to an HTTP/1.1 or 1.0 client, framed as the head written to it said. */
    private void relayHttp1(HttpContent content, boolean last) {
        ByteBuf data = content.content();
        if (framing == ResponseHeads.Framing.NONE) {
            data.release(); // HEAD, 204, 304: whatever came is not the client's
            return;
        }
        Http1Writer.writeBody(client.http1Out(), clientChannel.alloc(), data, framing == ResponseHeads.Framing.CHUNKED,
                last ? ((LastHttpContent) content).trailingHeaders() : null);
    }

    @Override
    public void backendReadComplete() {
        if (unflushed) {
            unflushed = false;
            clientChannel.flush();
        }
    }

    @Override
    public void backendWritable() {
        client.updateRead();
    }

    void clientWritable() {
        if (connection != null) {
            connection.channel().config().setAutoRead(true);
        }
    }

    /**
     * The last part of the response is written. It is counted before it is flushed, so a client that has its
     * response finds it in the metrics and the traffic view: a script's next call never sees one request fewer.
     */
    private void responseEnded() {
        BackendConnection used = connection;
        connection = null;
        end();
        used.release(requestSent && backendKeepAlive);
        done(backend, status);
        clientChannel.flush();
        client.exchangeFinished(!closeAfter && requestEnded);
    }

    /** The backend closed the connection before the response ended. */
    @Override
    public void backendClosed() {
        connection = null;
        if (finished) {
            return;
        }
        if (responseStarted) {
            cutResponse();
            return;
        }
        noResponse("connection closed without a response");
    }

    /** The response broke off mid-body: only closing the connection can tell the client it is not whole. */
    private void cutResponse() {
        dropConnection();
        end();
        done(backend, status);
        clientChannel.close();
    }

    /** The attempt ended without a response head. */
    private void noResponse(String why) {
        dropConnection();
        cancel(attemptTimer);
        if (reused && !staleRetried && replayable) {
            // A kept-alive connection the backend had closed meanwhile: no verdict on the backend, a new connection.
            staleRetried = true;
            reused = false;
            acquire(true);
            return;
        }
        blame(why);
        if (replayable && attempts.hasUntried()) {
            worker.metrics.of(attempts.distributor).retryAfter(false);
            connect();
        } else {
            noBackendAnswered("the backend closed the connection without answering.");
        }
    }

    /** The backend switched protocols as asked: its 101 goes to the client, then bytes flow both ways. */
    private void tunnel(HttpResponse response) {
        cancel(attemptTimer);
        backend.health().recordSuccess(BackendHealth.Source.TRAFFIC, 0);
        HttpHeaders headers = response.headers();
        String protocol = headers.get(HttpHeaderNames.UPGRADE, upgradeTo);
        ResponseHeads.rewrite(headers, 101, false, false);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        headers.set(HttpHeaderNames.UPGRADE, protocol);
        worker.metrics.of(attempts.distributor).responding(backend, 101);
        BackendConnection used = connection;
        connection = null;
        end();
        used.detach();
        client.upgraded();
        Tunnel.join(clientChannel, response, used.channel());
        done(backend, 101);
    }

    // ---- endings ----------------------------------------------------------------------------------------------

    /** The client went away: the backend connection is closed (it may be mid-response), nobody is blamed. */
    void clientClosed() {
        if (finished) {
            return;
        }
        dropConnection();
        end();
        done(responseStarted ? backend : null, CLIENT_CLOSED);
    }

    private void noBackendAnswered(String why) {
        String name = attempts.distributor.name();
        if (attempts.triedAvailable) {
            answerItself(502, "Distributor '" + name + "': " + why);
        } else {
            answerItself(503, "Distributor '" + name + "': no backend is available.");
        }
    }

    /** An answer of the proxy's own; the connection goes on only if the request was read to its end. */
    private void answerItself(int status, String message) {
        if (finished) {
            return;
        }
        dropConnection();
        end();
        if (responseStarted || !clientChannel.isActive()) {
            clientChannel.close();
            done(null, responseStarted ? this.status : CLIENT_CLOSED);
            return;
        }
        boolean close = !requestEnded || !keepAlive || client.draining();
        done(null, status); // counted before the client can have it, as in responseEnded
        clientChannel.writeAndFlush(ProxyResponses.of(status, message, close));
        client.exchangeFinished(!close);
    }

    /** Closes the attempt's backend connection, if any, without a verdict on it. */
    private void dropConnection() {
        if (waitingIn != null) {
            waitingIn.cancel(this);
            waitingIn = null;
        }
        BackendConnection used = connection;
        connection = null;
        if (used != null) {
            used.release(false);
        }
    }

    private void blame(String why) {
        backend.health().recordFailure(BackendHealth.Source.TRAFFIC, why, null);
    }

    /** Frees what the exchange holds; it answers nothing more. */
    private void end() {
        finished = true;
        cancel(bodyTimer);
        cancel(poolTimer);
        cancel(attemptTimer);
        if (held != null) {
            held.release();
            held = null;
        }
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** The exchange is over: counted and, when enabled, logged. {@code backend} null: the proxy answered. */
    private void done(CompiledBackend answeredBy, int status) {
        worker.metrics.of(attempts.distributor).answered(answeredBy, status, attempts.startNanos);
        if (worker.settings.accessLog()) {
            String uri = request.uri();
            int query = uri.indexOf('?');
            AccessLog.write(request.method().name(), query < 0 ? uri : uri.substring(0, query), client.clientAddress(),
                    attempts.distributor.name(), answeredBy, status, attempts.startNanos, bodyBytesIn, bytesOut,
                    attempts.count);
        }
    }

    private String stickyCookie() {
        var settings = attempts.distributor.stickySession();
        StringBuilder cookie = new StringBuilder(96).append(settings.cookieName()).append('=')
                .append(backend.stickyToken()).append("; Path=/");
        if (settings.maxAgeSeconds() != null) {
            cookie.append("; Max-Age=").append(settings.maxAgeSeconds());
        }
        cookie.append("; HttpOnly; SameSite=").append(settings.sameSite().name());
        if (client.secure()) {
            cookie.append("; Secure");
        }
        return cookie.toString();
    }
}
