package io.trafficdistributor.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * An HTTP/2 client connection (over TLS by ALPN, or h2c with prior knowledge): Netty's frame codec with the limits
 * below, Netty's multiplexer giving each stream a channel of its own ({@link Http2Streams}: one request, one
 * {@link Exchange}, as over HTTP/1.1), and this handler, last on the connection, for what concerns the connection
 * as a whole: its idle timeout, and a drain by GOAWAY.
 * <p>
 * Limits, each a flood that would otherwise cost the proxy memory or work for nothing:
 * <ul>
 * <li>concurrent streams: {@code td.proxy.http2.max-concurrent-streams} in SETTINGS; a stream beyond it is reset
 * with REFUSED_STREAM;</li>
 * <li>header list size: {@code td.proxy.max-header-size}, as for HTTP/1.1 (a stream over it gets 431, far over it
 * the connection a GOAWAY);</li>
 * <li>rapid reset (CVE-2023-44487): more than {@value #MAX_RST_FRAMES} RST_STREAMs from the client within
 * {@value #RST_WINDOW_SECONDS} s is a GOAWAY ENHANCE_YOUR_CALM and the connection closes;</li>
 * <li>SETTINGS and PING floods: a client that makes the proxy queue more than {@value #MAX_QUEUED_CONTROL_FRAMES}
 * control frames (their acknowledgements) without reading them is cut off;</li>
 * <li>empty DATA frames: more than {@value #MAX_EMPTY_DATA_FRAMES} in a row is a GOAWAY;</li>
 * <li>flow control: each stream's window ({@value #STREAM_WINDOW} bytes) is all a client may send before the
 * exchange has read it, so a backend slower than its client holds that much per stream, not more.</li>
 * </ul>
 */
final class Http2Connection extends ChannelInboundHandlerAdapter implements ClientConnections.Connection {

    static final String CODEC = "h2";
    static final String STREAMS = "h2-streams";
    static final String CONNECTION = "h2-connection";

    static final int MAX_RST_FRAMES = 200;
    static final int RST_WINDOW_SECONDS = 30;
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    static final int MAX_EMPTY_DATA_FRAMES = 2;
    static final int STREAM_WINDOW = 64 * 1024 - 1;

    private final Http2FrameCodec codec;
    private final ClientConnections connections;
    private ChannelHandlerContext context;

    private Http2Connection(Http2FrameCodec codec, ClientConnections connections) {
        this.codec = codec;
        this.connections = connections;
    }

    /** Makes the rest of {@code pipeline} (after TLS, or after the preface was recognised) serve HTTP/2. */
    static void configure(ChannelPipeline pipeline, ProxyWorker worker, boolean secure) {
        ProxySettings settings = worker.settings;
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(settings.http2MaxConcurrentStreams())
                        .maxHeaderListSize(settings.maxHeaderSize())
                        .initialWindowSize(STREAM_WINDOW))
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                // A drain's GOAWAY waits for the streams in flight; the shutdown grace bounds it (closeNow).
                .gracefulShutdownTimeoutMillis(-1)
                .build();
        pipeline.addLast(CODEC, codec);
        pipeline.addLast(STREAMS, new Http2MultiplexHandler(new Http2Streams(worker, secure)));
        pipeline.addLast(CONNECTION, new Http2Connection(codec, worker.connections));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        connections.add(this);
    }

    @Override
    public Channel channel() {
        return context.channel();
    }

    /** GOAWAY with the last stream taken; those in flight are answered, then the connection closes. Any thread. */
    @Override
    public void drain() {
        context.channel().eventLoop().execute(() -> context.close()); // through the codec: its graceful close
    }

    /** Closes without waiting for streams: below the codec, which would otherwise wait for them. */
    @Override
    public void closeNow() {
        context.pipeline().firstContext().close();
    }

    /**
     * No traffic either way for {@code td.proxy.idle-timeout}: a connection with no stream open closes with a
     * GOAWAY, and so does one whose client stopped reading (it holds paused backends); streams waiting for a
     * backend's answer are bounded by their exchanges' timeouts instead.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.close();
            } else if (!ctx.channel().isWritable()) {
                closeNow();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    /**
     * A protocol error (a flood among them) reaches here before the codec writes its GOAWAY and closes: left to it.
     * Anything else is I/O failing.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            closeNow();
        }
    }
}
