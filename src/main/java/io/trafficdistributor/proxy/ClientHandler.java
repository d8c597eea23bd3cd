package io.trafficdistributor.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.CompiledDistributor;

/**
 * One client connection after the decoder: takes its requests one at a time (a pipelined request waits, unread,
 * until the one before it is answered), refuses what DESIGN §4 refuses before anything reaches a backend
 * (framing, target, Host, CONNECT), routes by host, and hands the rest to an {@link Exchange}. All state is
 * touched only on the connection's event loop.
 * <p>
 * The same handler serves each stream of an HTTP/2 connection ({@link Http2Connection}): there its channel is the
 * stream, which carries one request, so the validation, routing and exchange are the HTTP/1.1 ones; what differs
 * (no upgrades, no absolute-form, how a stream ends) hangs on {@link #http2}.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements ClientConnections.Connection {

    /** ACME HTTP-01 challenges are answered over plain HTTP, never redirected (RFC 8555 §8.3). */
    static final String ACME_CHALLENGES = "/.well-known/acme-challenge/";

    /** The longest a closing connection reads and drops what its client still sends. */
    static final long LINGER_MILLIS = 2000;

    private final ProxyWorker worker;
    /** Whether this connection came in over TLS (the HTTPS listener). */
    private final boolean secure;
    /** The scheme the client used: {@code X-Forwarded-Proto} and {@code Forwarded proto=}. */
    private final String proto;
    /** A stream of an HTTP/2 connection rather than an HTTP/1.1 connection. */
    private final boolean http2;
    private ChannelHandlerContext context;
    /** HTTP/1.1: where bytes are written that need no encoding (below the response encoder). */
    private ChannelOutboundInvoker http1Out;
    /** The client's address as headers and logs give it, and whether it is a trusted proxy. */
    private String clientAddress;
    private InetAddress clientInet;
    private boolean trusted;
    private int localPort;
    /**
     * The values the proxy sets in each request's head, made once per connection (or per authority) as
     * {@link AsciiString}s: Netty validates every value set in a decoded request's headers, which on a {@code String}
     * goes character by character and measured several per cent of the event loops' time; an {@code AsciiString} is
     * checked as a byte array, and copied as one into the backend's head ({@link Http1Writer}).
     */
    private AsciiString clientAddressValue;
    private AsciiString localPortValue;
    private final AsciiString protoValue;
    /** The last request's authority and this connection's Forwarded element for it: most connections use one. */
    private String forwardedAuthority;
    private AsciiString forwardedAuthorityValue;
    private AsciiString forwardedElement;
    private Exchange exchange;
    /** Messages of requests behind the one in progress (pipelining), held unread in order. */
    private ArrayDeque<Object> pending;
    private boolean draining;
    private boolean tunnel;
    /** The last response is written: what the client still sends is read and dropped until the connection closes. */
    private boolean closing;
    /** An ACME challenge token is being read from PostgreSQL: later requests wait, unread. */
    private boolean answeringChallenge;

    ClientHandler(ProxyWorker worker, boolean secure, boolean http2) {
        this.worker = worker;
        this.secure = secure;
        this.proto = secure ? "https" : "http";
        this.protoValue = AsciiString.cached(proto);
        this.http2 = http2;
    }

    boolean http2() {
        return http2;
    }

    boolean secure() {
        return secure;
    }

    @Override
    public Channel channel() {
        return context.channel();
    }

    /**
     * HTTP/1.1 only: what writes response heads and bodies already encoded as bytes ({@link Http1Writer}), past the
     * response encoder, which only encodes the proxy's own answers.
     */
    ChannelOutboundInvoker http1Out() {
        return http1Out;
    }

    ProxyWorker worker() {
        return worker;
    }

    String clientAddress() {
        return clientAddress;
    }

    InetAddress clientInet() {
        return clientInet;
    }

    int localPort() {
        return localPort;
    }

    boolean draining() {
        return draining;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        if (ctx.channel().isActive()) {
            opened(ctx); // added after the TLS handshake chose HTTP/1.1, or to an HTTP/2 stream
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (clientAddress == null) {
            opened(ctx);
        }
        super.channelActive(ctx);
    }

    private void opened(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            clientInet = remote.getAddress();
            clientAddress = ForwardedHeaders.clientAddress(clientInet);
            clientAddressValue = new AsciiString(clientAddress);
            trusted = worker.settings.trustedProxies().trusts(clientInet);
        }
        if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
            localPort = local.getPort();
            localPortValue = new AsciiString(Integer.toString(localPort));
        }
        if (!http2) {
            http1Out = ctx.pipeline().context(ProxyListener.RESPONSE_ENCODER);
            worker.connections.add(this); // a stream's connection is drained as a whole, by GOAWAY
        }
    }

    /** Whether a response is being written: the header timeout then only closes. */
    boolean responding() {
        return exchange != null || closing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (pending != null || answeringChallenge || (exchange != null && exchange.requestEnded())) {
            hold(msg);
            return;
        }
        dispatch(msg);
    }

    private void hold(Object msg) {
        if (pending == null) {
            pending = new ArrayDeque<>(4);
        }
        pending.addLast(msg);
        updateRead();
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                refuse(request.decoderResult().cause());
                return;
            }
            begin(request); // the decoder passes bodies as separate contents, never a full request
            return;
        }
        if (!(msg instanceof HttpContent content)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            if (exchange != null) {
                exchange.requestBodyMalformed();
            }
            worker.metrics.badFraming();
            answerAndClose(400, cause instanceof TooLongFrameException
                    ? "The chunked request body has a chunk line that is too long."
                    : "The chunked request body is malformed.");
            return;
        }
        if (exchange != null) {
            exchange.requestContent(content);
        } else {
            content.release(); // the body of a request the proxy answered itself: read and dropped
        }
    }

    /** A head the decoder could not accept. */
    private void refuse(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            answerAndClose(414, "The request line is too long.");
        } else if (cause instanceof TooLongHttpHeaderException) {
            answerAndClose(431, "The request header fields are too large.");
        } else if (cause instanceof Http1Parsing.Malformed malformed) {
            worker.metrics.malformedHead();
            answerAndClose(400, malformed.getMessage()); // says what: the request line, a header line, a value
        } else if (cause instanceof RequestDecoder.FramingException framing) {
            worker.metrics.badFraming();
            answerAndClose(400, framing.getMessage());
        } else if (cause != null && cause.getMessage() != null && cause.getMessage().contains("Content-Length")) {
            worker.metrics.badFraming();
            answerAndClose(400, "The request has conflicting or invalid Content-Length headers.");
        } else if (cause instanceof IllegalArgumentException && cause.getMessage() != null
                && cause.getMessage().contains("header")) {
            worker.metrics.malformedHead();
            answerAndClose(400, "The request has a header name or value with a character that is not allowed.");
        } else {
            worker.metrics.malformedHead();
            answerAndClose(400, "The request head is malformed.");
        }
    }

    private void begin(HttpRequest request) {
        worker.metrics.request(http2, request.protocolVersion() == io.netty.handler.codec.http.HttpVersion.HTTP_1_0);
        HttpMethod method = request.method();
        if (method == HttpMethod.CONNECT) {
            worker.metrics.refusedMethod();
            answerAndClose(405, "CONNECT is not supported: this is a reverse proxy.");
            return;
        }
        RequestTarget.Result target = RequestTarget.parse(method.name(), request.uri());
        if (target.error() != null) {
            worker.metrics.badTarget();
            answerAndClose(400, target.error());
            return;
        }
        if (http2 && target.authority() != null) {
            worker.metrics.badTarget();
            answerAndClose(400, "An HTTP/2 request's :path is a path, not an absolute URI.");
            return;
        }
        RequestHeads.Scan scan = RequestHeads.scan(request.headers(), trusted);
        if (scan.hostLines > 1) {
            worker.metrics.badHost();
            // Over HTTP/2, :authority arrives as Host; a Host header agreeing with it was dropped (Http2Streams).
            answerAndClose(400, http2 ? "The request's :authority and Host header disagree."
                    : "The request has more than one Host header.");
            return;
        }
        // RFC 9112 §3.2.2: an absolute-form target's authority replaces Host.
        String authority = target.authority() != null ? target.authority() : scan.host;
        if (authority == null || (scan.hostLines == 0 && target.authority() == null)) {
            worker.metrics.noHost();
            answerAndClose(400, http2 ? "The request has no :authority." : "The request has no Host header.");
            return;
        }
        String host = HostHeader.host(authority);
        if (host == null) {
            worker.metrics.badHost();
            answerAndClose(400, HostHeader.error(authority));
            return;
        }
        if (!secure && target.pathAndQuery().startsWith(ACME_CHALLENGES)
                && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
            answerChallenge(request, target.pathAndQuery().substring(ACME_CHALLENGES.length()));
            return;
        }
        CompiledDistributor distributor = worker.routes.table().lookup(host);
        if (distributor == null) {
            worker.metrics.unknownHost();
            answerItself(request, 404, "No distributor serves host " + ProxyResponses.quote(host) + ".");
            return;
        }
        if (!secure && distributor.redirectHttp() && target.pathAndQuery().startsWith("/")
                && !target.pathAndQuery().startsWith(ACME_CHALLENGES)) {
            worker.metrics.of(distributor).answered(null, 308, System.nanoTime());
            redirectToHttps(request, host, target.pathAndQuery());
            return;
        }
        if (!distributor.enabled()) {
            worker.metrics.of(distributor).answered(null, 503, System.nanoTime());
            answerItself(request, 503, "Distributor '" + distributor.name() + "' is disabled.");
            return;
        }
        boolean expectContinue = false;
        if (scan.expect != null) {
            if (!"100-continue".equalsIgnoreCase(scan.expect.trim())) {
                answerItself(request, 417, "Only the expectation 100-continue is supported.");
                return;
            }
            expectContinue = true;
        }
        CompiledBackend affinity = null;
        if (distributor.routing() == RoutingMethod.STICKY_SESSIONS) {
            affinity = distributor.backendForStickyToken(
                    Cookies.value(request.headers(), distributor.stickySession().cookieName()));
        }
        // Tunnels are HTTP/1.1 only (Netty's HTTP/2 codec already resets a stream carrying Upgrade or Connection).
        String upgradeTo = !http2 && RequestHeads.isWebSocketUpgrade(method.name(), request.headers(), scan)
                ? request.headers().get(io.netty.handler.codec.http.HttpHeaderNames.UPGRADE) : null;
        // The exchange reads the body's framing from the head before the head is rewritten for the backends.
        exchange = new Exchange(this, request, target.pathAndQuery(), distributor, affinity, upgradeTo, expectContinue,
                HttpUtil.isKeepAlive(request) && !draining);
        AsciiString forwarded = forwardedElement(authority);
        RequestHeads.rewrite(request.headers(), scan, distributor.passHostHeader() ? forwardedAuthorityValue : null,
                forwardedAuthorityValue, clientAddressValue, forwarded, protoValue, localPortValue, trusted);
        exchange.start();
    }

    /** This connection's Forwarded element for {@code authority}; also makes {@link #forwardedAuthorityValue} its. */
    private AsciiString forwardedElement(String authority) {
        if (!authority.equals(forwardedAuthority)) {
            forwardedElement = new AsciiString(ForwardedHeaders.forwardedElement(clientInet, proto, authority));
            forwardedAuthorityValue = new AsciiString(authority);
            forwardedAuthority = authority;
        }
        return forwardedElement;
    }

    /**
     * An answer of the proxy's own to a well-framed request: its body, if any, is read and dropped, and the
     * connection goes on when the client keeps it alive.
     */
    private void answerItself(HttpRequest request, int status, String message) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining;
        context.writeAndFlush(ProxyResponses.of(status, message, !keepAlive))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!keepAlive) {
            closeAfterWrites();
        }
    }

    /**
     * An ACME HTTP-01 validation (RFC 8555 §8.3), for any host and before routing: the key authorization of the token,
     * from this replica's memory when it runs the order, else read from PostgreSQL on a worker thread (another replica
     * runs it); the connection takes no further request meanwhile. An unknown token is a {@code 404}.
     */
    private void answerChallenge(HttpRequest request, String token) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining;
        boolean head = request.method() == HttpMethod.HEAD;
        String known = worker.challenges.cached(token);
        if (known != null) {
            writeChallenge(known, head, keepAlive);
            return;
        }
        answeringChallenge = true;
        updateRead();
        Channel channel = context.channel();
        worker.challenges.find(token).whenComplete((found, failure) -> channel.eventLoop().execute(() -> {
            answeringChallenge = false;
            if (!channel.isActive() || closing) {
                return;
            }
            writeChallenge(found == null ? null : found.orElse(null), head, keepAlive);
        }));
    }

    private void writeChallenge(String keyAuthorization, boolean head, boolean keepAlive) {
        FullHttpResponse response;
        if (keyAuthorization == null) {
            response = ProxyResponses.of(404, "No such ACME challenge.", !keepAlive);
        } else {
            byte[] body = keyAuthorization.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            response = new io.netty.handler.codec.http.DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    io.netty.handler.codec.http.HttpResponseStatus.OK,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            response.headers().set(HttpHeaderNames.DATE, HttpDate.now());
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
            }
        }
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        exchangeFinished(keepAlive);
    }

    /** {@code 308} to the same target over HTTPS (the method and body are to be sent again there, RFC 9110 §15.4.9). */
    private void redirectToHttps(HttpRequest request, String host, String pathAndQuery) {
        String location = "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                + worker.settings.httpsAuthoritySuffix() + pathAndQuery;
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining;
        FullHttpResponse response = ProxyResponses.of(308, "Moved to " + location, !keepAlive);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!keepAlive) {
            closeAfterWrites();
        }
    }

    /** An answer after which the connection cannot go on (its framing or head cannot be trusted). */
    void answerAndClose(int status, String message) {
        exchange = null;
        context.writeAndFlush(ProxyResponses.of(status, message, true));
        closeAfterWrites();
    }

    /**
     * Ends the connection once everything written has gone out, with a lingering close (as NGINX's): the output is
     * shut first, so the client reads the whole last response and the end of it, while what it still sends (the
     * rest of a body the proxy did not wait for) is read and dropped for up to {@link #LINGER_MILLIS}. A plain
     * close with unread bytes makes the kernel answer with a reset, which can destroy the response before the
     * client has read it.
     */
    private void closeAfterWrites() {
        if (closing) {
            return;
        }
        closing = true;
        exchange = null;
        releasePending();
        Channel channel = context.channel();
        channel.config().setAutoRead(true);
        if (http2) {
            endStream(channel);
            return;
        }
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (written.isSuccess() && channel instanceof DuplexChannel duplex && channel.isActive()) {
                SslHandler tls = secure ? channel.pipeline().get(SslHandler.class) : null;
                if (tls != null) {
                    tls.closeOutbound(); // TLS's own end of output (close_notify): the response was not cut
                } else {
                    duplex.shutdownOutput();
                }
                ScheduledFuture<?> linger = channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS,
                        TimeUnit.MILLISECONDS);
                channel.closeFuture().addListener(closed -> linger.cancel(false)); // the client closed first, mostly
            } else {
                channel.close();
            }
        });
    }

    /**
     * An HTTP/2 stream answered before its request ended: what the client still sends is read and dropped for up to
     * {@link #LINGER_MILLIS} (the answer's last frames may still wait for flow control), then the stream is reset
     * with NO_ERROR (RFC 9113 §8.1). A stream ended both ways is closed already; the connection goes on.
     */
    private static void endStream(Channel stream) {
        if (!stream.isActive()) {
            return;
        }
        ScheduledFuture<?> linger = stream.eventLoop().schedule(() -> {
            stream.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2ResetFrame(
                    io.netty.handler.codec.http2.Http2Error.NO_ERROR)).addListener(ChannelFutureListener.CLOSE);
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        stream.closeFuture().addListener(closed -> linger.cancel(false));
    }

    /** The exchange in progress is over: the connection takes the next request, or closes. */
    void exchangeFinished(boolean keepAlive) {
        exchange = null;
        if (!keepAlive || (draining && pending == null)) {
            closeAfterWrites();
            return;
        }
        while (pending != null && (exchange == null || !exchange.requestEnded())) {
            Object next = pending.pollFirst();
            if (pending.isEmpty()) {
                pending = null;
            }
            if (next == null) {
                break;
            }
            dispatch(next);
        }
        updateRead();
    }

    /** The exchange became a tunnel: this connection is no longer HTTP. */
    void upgraded() {
        tunnel = true;
        exchange = null;
        releasePending();
    }

    /** Reads from the client only when the exchange wants its bytes and nothing is held back. */
    void updateRead() {
        boolean read = pending == null && (exchange == null || exchange.wantsClientBytes());
        context.channel().config().setAutoRead(read);
    }

    /** Stops taking requests: closes now if idle, else after the response in progress. Any thread. */
    @Override
    public void drain() {
        context.channel().eventLoop().execute(() -> {
            draining = true;
            if (exchange == null && !tunnel) {
                context.close();
            }
        });
    }

    /**
     * No traffic either way for {@code td.proxy.idle-timeout}: an idle kept-alive connection closes, and so does a
     * client that stopped reading its response (it would hold the backend connection, paused for it, forever). One
     * waiting for its backend's answer is not idle; the exchange's own timeouts bound it.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (exchange == null || !ctx.channel().isWritable()) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.clientWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releasePending();
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.clientClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the client, mostly: the channel's close ends the exchange
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }
}
