package io.trafficdistributor.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

/**
 * Each HTTP/2 stream's own pipeline: Netty's {@link Http2StreamFrameToHttpObjectCodec} turns its frames into an
 * {@link HttpRequest} and {@link io.netty.handler.codec.http.HttpContent}s, and responses back into frames (dropping
 * the HTTP/1.1-only headers: Connection and what it names, Keep-Alive, Transfer-Encoding, Upgrade), so a
 * {@link ClientHandler} of its own takes the stream as one HTTP/1.1 request: the same validation, routing and
 * {@link Exchange}. Two small adapters around the codec keep that request what an HTTP/1.1 one would be.
 */
final class Http2Streams extends ChannelInitializer<Http2StreamChannel> {

    private final ProxyWorker worker;
    private final boolean secure;

    Http2Streams(ProxyWorker worker, boolean secure) {
        this.worker = worker;
        this.secure = secure;
    }

    @Override
    protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(AuthorityAndHost.INSTANCE, new Http2StreamFrameToHttpObjectCodec(true, true),
                RequestHead.INSTANCE, new ClientHandler(worker, secure, true));
    }

    /**
     * The codec turns {@code :authority} into {@code Host} and keeps a {@code host} header beside it: one that
     * names the same host is dropped here, so only one that disagrees reaches {@link ClientHandler}, as a second
     * Host (a 400). Without {@code :authority}, {@code host} is the host (RFC 9113 §8.3.1).
     */
    @ChannelHandler.Sharable
    static final class AuthorityAndHost extends ChannelInboundHandlerAdapter {
        static final AuthorityAndHost INSTANCE = new AuthorityAndHost();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame frame) {
                Http2Headers headers = frame.headers();
                CharSequence authority = headers.authority();
                if (authority != null && headers.contains(HttpHeaderNames.HOST)) {
                    boolean same = true;
                    for (CharSequence host : headers.getAll(HttpHeaderNames.HOST)) {
                        same &= AsciiString.contentEqualsIgnoreCase(host, authority);
                    }
                    if (same) {
                        headers.remove(HttpHeaderNames.HOST);
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * The request as the HTTP/1.1 decoder would give it: without the codec's {@code x-http2-*} extension headers
     * (they must not reach a backend), and a request that ended with its HEADERS frame as a head and an empty last
     * content rather than one full request.
     */
    @ChannelHandler.Sharable
    static final class RequestHead extends ChannelInboundHandlerAdapter {
        static final RequestHead INSTANCE = new RequestHead();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                HttpHeaders headers = request.headers();
                headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
                headers.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
                if (msg instanceof FullHttpRequest full) {
                    ctx.fireChannelRead(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), headers));
                    ctx.fireChannelRead(full.content().isReadable()
                            ? new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders())
                            : LastHttpContent.EMPTY_LAST_CONTENT);
                    full.release();
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
