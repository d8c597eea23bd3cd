package io.trafficdistributor.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.trafficdistributor.tls.CertificateStore;

/**
 * The first TLS step of an HTTPS connection: Netty reads the ClientHello's SNI name, the {@link CertificateStore}
 * snapshot of this moment picks the certificate (exact, wildcard, default), and this handler puts that
 * certificate's {@link SslHandler} in its place, which then does the handshake on the bytes read so far. A
 * certificate rotated later does not touch this connection: it keeps the context it got here.
 * <p>
 * No certificate for the name, and no default: the client gets the fatal alert {@code unrecognized_name}
 * (RFC 6066 §3) and the connection closes. Netty offers no handshake to fail without a certificate, so the one
 * alert record is written here: seven fixed bytes, nothing parsed.
 */
final class SniFront extends AbstractSniHandler<CertificateStore.Loaded> {

    static final String NAME = "sni";
    static final String TLS = "tls";
    /** A ClientHello longer than this is refused (post-quantum key shares make them ~2 KiB). */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;
    /** TLS record: alert (21), version 3.3, length 2, level fatal (2), unrecognized_name (112). */
    private static final byte[] UNRECOGNIZED_NAME = { 21, 3, 3, 0, 2, 2, 112 };

    private final CertificateStore certificates;
    private final ProxyMetrics metrics;

    SniFront(CertificateStore certificates, ProxyMetrics metrics, long handshakeTimeoutMillis) {
        super(MAX_CLIENT_HELLO, handshakeTimeoutMillis);
        this.certificates = certificates;
        this.metrics = metrics;
    }

    @Override
    protected Future<CertificateStore.Loaded> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(certificates.select(hostname));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<CertificateStore.Loaded> future) {
        CertificateStore.Loaded certificate = future.getNow();
        if (certificate == null) {
            metrics.handshake(TlsHandshakes.NO_PROTOCOL, "unrecognized_name");
            ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        SslHandler tls = certificate.context().newHandler(ctx.alloc());
        tls.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        try {
            ctx.pipeline().replace(this, TLS, tls);
        } catch (Throwable e) {
            ReferenceCountUtil.safeRelease(tls.engine());
            throw e;
        }
    }
}
