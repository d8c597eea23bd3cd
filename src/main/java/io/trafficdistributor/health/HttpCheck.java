package io.trafficdistributor.health;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The HTTP check: a GET of the backend's base path + the check's path, with the backend's Host (and SNI), on a
 * connection of its own that closes after it, that passes when the whole response arrives in time with one of the
 * expected statuses. A fresh connection each time, never one that traffic keeps alive or busy: a server that no
 * longer accepts connections, or whose new connections hang, fails the check even while old ones still work.
 */
final class HttpCheck implements BackendCheck {

    static final String USER_AGENT = "traffic-distributor-health-probe";

    private final ProbeTransport transport;

    HttpCheck(ProbeTransport transport) {
        this.transport = transport;
    }

    @Override
    public Future<Void> check(ProbeTarget target, ProbeSettings settings) {
        Promise<Void> outcome = Promise.promise();
        int timeout = settings.timeoutMillis();
        HttpProbeHandler handler = new HttpProbeHandler(target, settings, outcome);
        ChannelFuture connecting = transport.connect(target, timeout, true, new HttpResponseDecoder(), handler);
        return ProbeTransport.bounded(connecting, outcome, timeout, "timed out");
    }

    /** The request, in bytes: {@code Connection: close}, so the server need not keep anything for it either. */
    static ByteBuf request(ByteBufAllocator alloc, ProbeTarget target, ProbeSettings settings) {
        String text = "GET " + target.basePath() + settings.path() + " HTTP/1.1\r\nHost: " + authority(target)
                + "\r\nUser-Agent: " + USER_AGENT + "\r\nConnection: close\r\n\r\n";
        ByteBuf bytes = alloc.buffer(ByteBufUtil.utf8MaxBytes(text));
        ByteBufUtil.writeUtf8(bytes, text);
        return bytes;
    }

    /** The Host header: the host (an IPv6 literal in brackets), and the port unless it is the scheme's. */
    static String authority(ProbeTarget target) {
        String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
        return target.port() == (target.https() ? 443 : 80) ? host : host + ":" + target.port();
    }
}
