package io.trafficdistributor.support;

import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;

/**
 * A real HTTP backend on a free port for proxy tests. It answers {@code 200} with its name as the body and
 * an {@code X-Backend} header ({@code ?delay=ms} answers that much later), records what it received, and can
 * be stopped, restarted on the same port, switched to a health status, or made to hang. It counts the health
 * probes it receives.
 */
public final class TestBackend implements AutoCloseable {

    private static final Vertx VERTX = Vertx.vertx();

    /** A request as the backend saw it. */
    public record Received(String method, String uri, MultiMap headers, long bodyBytes) {
    }

    private final String name;
    private final int port;
    private final SelfSignedCertificate certificate;
    /** The User-Agent of the service's health probes: their requests are not in {@link #received()}. */
    static final String PROBE_AGENT = "traffic-distributor-health-probe";

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger healthStatus = new AtomicInteger(200);
    private final AtomicBoolean hanging = new AtomicBoolean();
    private final AtomicInteger healthDelayMillis = new AtomicInteger();
    /** Health probes received, by path. */
    private final Map<String, AtomicInteger> probes = new ConcurrentHashMap<>();
    private volatile HttpServer server;

    private TestBackend(String name, int port, SelfSignedCertificate certificate) {
        this.name = name;
        this.port = port;
        this.certificate = certificate;
    }

    /** Starts a plain HTTP backend named {@code name} on a free port. */
    public static TestBackend start(String name) {
        TestBackend backend = new TestBackend(name, freePort(), null);
        backend.start();
        return backend;
    }

    /** Starts an HTTPS backend with the given certificate (e.g. {@link TestTls#certificate()}). */
    public static TestBackend startHttps(String name, SelfSignedCertificate certificate) {
        TestBackend backend = new TestBackend(name, freePort(), certificate);
        backend.start();
        return backend;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        HttpServerOptions options = new HttpServerOptions().setPort(port).setHost("127.0.0.1");
        if (certificate != null) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setKeyPath(certificate.privateKeyPath()).setCertPath(certificate.certificatePath()));
        }
        HttpServer created = VERTX.createHttpServer(options)
                .webSocketHandler(ws -> {
                    received.add(new Received("GET", ws.uri(), MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()), 0));
                    ws.handler(ws::write);
                })
                .requestHandler(this::handle);
        server = await(created.listen());
    }

    /** Stops listening and closes every open connection: the backend is gone, as after a crash. */
    public synchronized void stop() {
        if (server != null) {
            await(server.close());
            server = null;
        }
    }

    private void handle(HttpServerRequest request) {
        if (PROBE_AGENT.equals(request.getHeader("User-Agent"))) {
            probes.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
        }
        if (request.path().endsWith("/health")) {
            int delay = healthDelayMillis.get();
            if (delay > 0) {
                VERTX.setTimer(delay, id -> request.response().setStatusCode(healthStatus.get()).end(name));
            } else {
                request.response().setStatusCode(healthStatus.get()).end(name);
            }
            return;
        }
        if (hanging.get()) {
            return; // never answers
        }
        long[] bytes = { 0 };
        request.handler(chunk -> bytes[0] += chunk.length());
        request.endHandler(v -> {
            if (PROBE_AGENT.equals(request.getHeader("User-Agent"))) {
                // A health probe of a check on another path: answered, but not counted as traffic.
                request.response().end(name);
                return;
            }
            received.add(new Received(request.method().name(), request.uri(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), bytes[0]));
            String download = request.getParam("download");
            if (download != null) {
                Downloads.send(request.response().putHeader("X-Backend", name), Long.parseLong(download));
                return;
            }
            String chunked = request.getParam("chunked");
            if (chunked != null) {
                // A body of unknown length: sent in chunks, no Content-Length.
                request.response().setChunked(true).putHeader("X-Backend", name);
                request.response().write("x".repeat(Integer.parseInt(chunked) / 2));
                request.response().end("y".repeat(Integer.parseInt(chunked) - Integer.parseInt(chunked) / 2));
                return;
            }
            String delay = request.getParam("delay");
            if (delay != null) {
                // A slow backend: answers after that many milliseconds.
                VERTX.setTimer(Long.parseLong(delay), id -> answer(request, bytes[0]));
                return;
            }
            answer(request, bytes[0]);
        });
    }

    private void answer(HttpServerRequest request, long bodyBytes) {
        if (request.method() == io.vertx.core.http.HttpMethod.HEAD) {
            // The length the GET's body would have, as NGINX sends it (Vert.x leaves it out on its own).
            request.response().putHeader("Content-Length", Integer.toString(name.length()));
        }
        request.response()
                .putHeader("X-Backend", name)
                .putHeader("X-Received-Bytes", Long.toString(bodyBytes))
                .end(name);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url() {
        return (certificate == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    /** The URL with {@code localhost} as its host, for TLS host-name verification. */
    public String localhostUrl() {
        return (certificate == null ? "http" : "https") + "://localhost:" + port;
    }

    /** The proxied requests this backend received (health probes excluded). */
    public List<Received> received() {
        return received;
    }

    public Received lastReceived() {
        return received.isEmpty() ? null : received.get(received.size() - 1);
    }

    public void clearReceived() {
        received.clear();
    }

    /** How many health probes of that path this backend received. */
    public int probes(String path) {
        AtomicInteger count = probes.get(path);
        return count == null ? 0 : count.get();
    }

    /** The status {@code GET …/health} answers. */
    public void healthStatus(int status) {
        healthStatus.set(status);
    }

    /** How long {@code GET …/health} takes to answer. */
    public void healthDelayMillis(int millis) {
        healthDelayMillis.set(millis);
    }

    /** While hanging, requests (other than health) get no response at all. */
    public void hang(boolean hang) {
        hanging.set(hang);
    }

    @Override
    public void close() {
        stop();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Headers as a plain map, for assertions. */
    public static Map<String, String> asMap(MultiMap headers) {
        Map<String, String> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach(e -> map.merge(e.getKey(), e.getValue(), (a, b) -> a + "," + b));
        return map;
    }
}
