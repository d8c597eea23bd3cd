import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The ceiling in the throughput benchmark for anything built on Netty's HTTP codec: the least a reverse proxy
 * directly on it can do. HttpServerCodec without aggregation towards the client; per event loop, keep-alive pools
 * of HttpClientCodec connections to the two backends, taken in turn; the request's and the response's HttpContent
 * objects relayed as they are decoded (the decoders' slices of the read buffers, no copies); auto-read switched off
 * on one side while the other side's outbound buffer is full; X-Forwarded-For added; Connection and Keep-Alive
 * not forwarded. Content-Length, chunked and close-delimited bodies (re-chunked towards the client), HEAD, pipelined
 * requests (one exchange at a time) and Expect: 100-continue (answered here) keep the client connection usable.
 * None of the service's work (routing table, health, retries, timeouts, metrics, connection limits). Not a product.
 * Usage: java -cp 'target/quarkus-app/lib/main/*' bench/BareNettyProxy.java PORT BACKEND_A_PORT BACKEND_B_PORT EVENT_LOOPS
 */
public class BareNettyProxy {
    private static final Map<EventExecutor, Pool> POOLS = new HashMap<>();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int[] backends = {Integer.parseInt(args[1]), Integer.parseInt(args[2])};
        int loops = Integer.parseInt(args[3]);
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = epoll ? new EpollEventLoopGroup(loops) : new NioEventLoopGroup(loops);
        for (EventExecutor loop : group) {
            POOLS.put(loop, new Pool((EventLoop) loop, epoll ? EpollSocketChannel.class : NioSocketChannel.class, backends));
        }
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        new ServerBootstrap().group(group).channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(), new Frontend());
                    }
                })
                .bind("127.0.0.1", port).sync();
        System.out.printf("netty-bare on 127.0.0.1:%d, %s, %d event loop(s)%n", port, epoll ? "epoll" : "nio", loops);
    }

    /** One event loop's idle backend connections, per backend, and whose turn is next. Used on that loop only. */
    static final class Pool {
        private final Bootstrap[] bootstraps = new Bootstrap[2];
        @SuppressWarnings("unchecked")
        private final ArrayDeque<Backend>[] idle = new ArrayDeque[] {new ArrayDeque<>(), new ArrayDeque<>()};
        private int next;

        Pool(EventLoop loop, Class<? extends Channel> type, int[] ports) {
            for (int i = 0; i < 2; i++) {
                int index = i;
                bootstraps[i] = new Bootstrap().group(loop).channel(type).option(ChannelOption.TCP_NODELAY, true)
                        .remoteAddress("127.0.0.1", ports[i])
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new HttpClientCodec(), new Backend(Pool.this, index));
                            }
                        });
            }
        }

        /** Hands the next backend's most recently used idle connection, or a new one, to owner (null: none). */
        void acquire(Frontend owner, HttpRequest request) {
            int i = next++ & 1;
            for (Backend b; (b = idle[i].pollFirst()) != null; ) {
                if (b.channel.isActive()) {
                    owner.connected(b, request);
                    return;
                }
            }
            bootstraps[i].connect().addListener((ChannelFuture f) ->
                    owner.connected(f.isSuccess() ? f.channel().pipeline().get(Backend.class) : null, request));
        }

        void release(Backend b) {
            b.owner = null;
            b.channel.config().setAutoRead(true); // notices the backend closing it while idle
            idle[b.index].addFirst(b);
        }
    }

    /** A backend connection: relays what it decodes to the client connection it serves at the moment. */
    static final class Backend extends ChannelInboundHandlerAdapter {
        final Pool pool;
        final int index;
        Channel channel;
        Frontend owner;

        Backend(Pool pool, int index) {
            this.pool = pool;
            this.index = index;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (owner != null) {
                owner.fromBackend(msg);
            } else { // nothing is expected on an idle connection
                ReferenceCountUtil.release(msg);
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (owner != null) owner.client.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (owner != null) owner.drain(true);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (owner != null) owner.backendLost();
            else pool.idle[index].remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A client connection: one exchange at a time; what arrives before it can be forwarded waits in the queue. */
    static final class Frontend extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Object> queue = new ArrayDeque<>();
        Channel client;
        private Backend backend; // the current exchange's connection, once connected
        private boolean exchange, requestDone, responseStarted, keepAlive, backendKeepAlive, head, closing;
        private HttpVersion version;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            client = ctx.channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            queue.add(msg);
            drain(false);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (backend != null) backend.channel.flush();
        }

        /** Forwards what the queue holds as far as the exchange allows, then reads on only if it can forward. */
        void drain(boolean flush) {
            for (Object msg; !closing && (msg = queue.peek()) != null; ) {
                if (msg instanceof HttpRequest) {
                    if (exchange) break; // pipelined: waits until the current exchange ends
                    queue.poll();
                    start((HttpRequest) msg);
                } else if (!exchange) { // the rest of a refused request
                    ReferenceCountUtil.release(queue.poll());
                } else if (backend == null) { // still connecting
                    break;
                } else {
                    backend.channel.write(queue.poll());
                    if (msg instanceof LastHttpContent) requestDone = true;
                }
            }
            if (flush && backend != null) backend.channel.flush();
            client.config().setAutoRead(queue.isEmpty() && (backend == null || backend.channel.isWritable()));
        }

        private void start(HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                fail(HttpResponseStatus.BAD_REQUEST);
                return;
            }
            exchange = true;
            requestDone = responseStarted = false;
            version = request.protocolVersion();
            keepAlive = HttpUtil.isKeepAlive(request);
            head = HttpMethod.HEAD.equals(request.method());
            HttpHeaders headers = request.headers();
            headers.remove(HttpHeaderNames.CONNECTION).remove("Keep-Alive");
            request.setProtocolVersion(HttpVersion.HTTP_1_1); // keep-alive towards the backend
            String ip = ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress();
            String forwarded = headers.get("X-Forwarded-For");
            headers.set("X-Forwarded-For", forwarded == null ? ip : forwarded + ", " + ip);
            POOLS.get(client.eventLoop()).acquire(this, request);
        }

        void connected(Backend b, HttpRequest request) {
            if (b == null) {
                fail(HttpResponseStatus.BAD_GATEWAY);
            } else if (!client.isActive()) {
                b.channel.close();
            } else {
                backend = b;
                b.owner = this;
                b.channel.write(request);
                drain(true);
            }
        }

        void fromBackend(Object msg) {
            if (msg instanceof HttpResponse) {
                HttpResponse response = (HttpResponse) msg;
                responseStarted = true;
                backendKeepAlive = HttpUtil.isKeepAlive(response);
                int status = response.status().code();
                if (!head && status >= 200 && status != 204 && status != 304
                        && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
                    HttpUtil.setTransferEncodingChunked(response, true); // ends with the backend connection: chunk it
                }
                HttpHeaders headers = response.headers().remove(HttpHeaderNames.CONNECTION).remove("Keep-Alive");
                if (!keepAlive) headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                else if (!version.isKeepAliveDefault()) headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            if (msg instanceof LastHttpContent) {
                end(client.writeAndFlush(msg));
            } else {
                client.write(msg);
                if (!client.isWritable()) backend.channel.config().setAutoRead(false);
            }
        }

        /** The response is written: the backend connection goes back to its pool, the next request may start. */
        private void end(ChannelFuture written) {
            Backend b = backend;
            backend = null;
            exchange = false;
            if (requestDone && backendKeepAlive) {
                b.pool.release(b);
            } else { // answered before the whole request was sent, or not kept alive by the backend
                b.owner = null;
                b.channel.close();
            }
            if (!keepAlive || !requestDone) {
                close(written);
            } else {
                drain(true);
            }
        }

        void backendLost() {
            backend.owner = null;
            backend = null;
            if (responseStarted) close(client.newSucceededFuture());
            else fail(HttpResponseStatus.BAD_GATEWAY);
        }

        private void fail(HttpResponseStatus status) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            HttpUtil.setContentLength(response, 0);
            HttpUtil.setKeepAlive(response, false);
            close(client.writeAndFlush(response));
        }

        private void close(ChannelFuture after) {
            closing = true;
            queue.forEach(ReferenceCountUtil::release);
            queue.clear();
            after.addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (backend != null) backend.channel.config().setAutoRead(client.isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closing = true;
            queue.forEach(ReferenceCountUtil::release);
            queue.clear();
            if (backend != null) {
                backend.owner = null;
                backend.channel.close();
                backend = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
