package io.trafficdistributor.support;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a free 127.0.0.1 port built on plain sockets, one thread per connection, no HTTP library: it
 * records the exact bytes that arrive on every connection it accepts and answers each request with the current
 * scripted behaviour ({@link #answer}, {@link #streamChunked}, {@link #streamCloseDelimited},
 * {@link #switchingProtocols}, {@link #echoAfterUpgrade}). By default it answers {@code 200} with its name as
 * the body, keeping the connection open for the next request.
 * <p>
 * Health probes (the service's probe User-Agent, or a path ending in {@code /health}) are answered {@code 200}
 * and left out of everything recorded, so a distributor with health checks on can use it too.
 */
public final class RawBackend implements AutoCloseable {

    private static final String PROBE_AGENT = "traffic-distributor-health-probe";
    private static final byte[] PROBE_ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            .getBytes(StandardCharsets.ISO_8859_1);
    /** 64 KiB of the pattern every streamed body follows: the byte at offset {@code p} is {@code (byte) p}. */
    private static final byte[] PATTERN = new byte[64 * 1024];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) i;
        }
    }

    /** What the backend does with one request whose head it read (health probes aside). */
    @FunctionalInterface
    public interface Behaviour {
        /** Answers {@code request}, whose body (if any) is still in {@code in}; false ends the connection. */
        boolean serve(HttpHead request, InputStream in, OutputStream out) throws IOException;
    }

    /** The lengths of every connection's bytes at one moment, to see what arrived after it. */
    public record Mark(int[] lengths) {
    }

    /** One accepted connection and every byte that arrived on it. */
    private static final class Connection {
        final Socket socket;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(); // its methods are synchronized
        volatile boolean probe;
        volatile boolean ended;

        Connection(Socket socket) {
            this.socket = socket;
        }

        String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private final String name;
    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<HttpHead> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger probes = new AtomicInteger();
    private volatile Behaviour behaviour;

    private RawBackend(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + name.length() + "\r\n\r\n" + name);
        Thread acceptor = new Thread(this::acceptLoop, "raw-backend-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a backend named {@code name} (its default answer's body) on a free port. */
    public static RawBackend start(String name) {
        try {
            return new RawBackend(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- behaviours -------------------------------------------------------------------------------------------

    /** From now on, answers each request, once its head and body are read, with exactly these bytes. */
    public RawBackend answer(String rawResponse) {
        byte[] bytes = rawResponse.getBytes(StandardCharsets.ISO_8859_1);
        boolean close = rawResponse.toLowerCase().matches("(?s).*\r\nconnection: *close\r\n.*");
        return behave((request, in, out) -> {
            skipBody(request, in);
            out.write(bytes);
            return !close;
        });
    }

    /** From now on, answers {@code 200} with a chunked body of {@code totalBytes} (64 KiB chunks, {@link #PATTERN}). */
    public RawBackend streamChunked(long totalBytes) {
        return behave((request, in, out) -> {
            skipBody(request, in);
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
            for (long left = totalBytes; left > 0;) {
                int n = (int) Math.min(PATTERN.length, left);
                out.write(ascii(Integer.toHexString(n) + "\r\n"));
                out.write(PATTERN, 0, n);
                out.write(ascii("\r\n"));
                left -= n;
            }
            out.write(ascii("0\r\n\r\n"));
            return true;
        });
    }

    /** From now on, answers {@code 200} with neither length nor chunks: {@code totalBytes}, then it closes. */
    public RawBackend streamCloseDelimited(long totalBytes) {
        return behave((request, in, out) -> {
            skipBody(request, in);
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"));
            for (long left = totalBytes; left > 0;) {
                int n = (int) Math.min(PATTERN.length, left);
                out.write(PATTERN, 0, n);
                left -= n;
            }
            return false;
        });
    }

    /** From now on, answers {@code 101} to anything, then only records what arrives until the peer closes. */
    public RawBackend switchingProtocols() {
        return behave((request, in, out) -> {
            out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
            out.flush();
            in.transferTo(OutputStream.nullOutputStream());
            return false;
        });
    }

    /**
     * From now on, answers {@code 101} (with the {@code Sec-WebSocket-Accept} of the request's key) and then
     * sends back every byte that arrives, as it arrives, until the peer closes.
     */
    public RawBackend echoAfterUpgrade() {
        return behave((request, in, out) -> {
            String key = request.value("Sec-WebSocket-Key");
            out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + (key == null ? "" : "Sec-WebSocket-Accept: " + accept(key) + "\r\n") + "\r\n"));
            out.flush();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0;) {
                out.write(buffer, 0, n);
                out.flush();
            }
            return false;
        });
    }

    /** From now on, answers each request with {@code behaviour}. */
    public RawBackend behave(Behaviour behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    // --- what arrived -----------------------------------------------------------------------------------------

    /** The exact bytes of each accepted connection (health probes left out), in the order they were accepted. */
    public List<byte[]> connections() {
        List<byte[]> all = new ArrayList<>();
        for (Connection c : traffic()) {
            all.add(c.bytes.toByteArray());
        }
        return all;
    }

    /** Every connection's bytes, joined, as ISO-8859-1. */
    public String receivedText() {
        StringBuilder text = new StringBuilder();
        traffic().forEach(c -> text.append(c.text()));
        return text.toString();
    }

    /** Connections accepted, health probes left out. */
    public int accepted() {
        return traffic().size();
    }

    /** Health probes answered. */
    public int probes() {
        return probes.get();
    }

    /** The request heads read (health probes left out), in order. */
    public List<HttpHead> requests() {
        return List.copyOf(requests);
    }

    /** The last request head read, or null. */
    public HttpHead lastRequest() {
        return requests.isEmpty() ? null : requests.get(requests.size() - 1);
    }

    /** Now, to compare with later by {@link #receivedSince}. */
    public Mark mark() {
        int[] lengths = new int[connections.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = connections.get(i).bytes.size();
        }
        return new Mark(lengths);
    }

    /** The bytes that arrived after {@code mark}, connection by connection in accepted order, as ISO-8859-1. */
    public String receivedSince(Mark mark) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < connections.size(); i++) {
            Connection c = connections.get(i);
            if (!isProbe(c)) {
                String all = c.text();
                text.append(all.substring(Math.min(all.length(), i < mark.lengths().length ? mark.lengths()[i] : 0)));
            }
        }
        return text.toString();
    }

    /** The bytes of the connection that carried {@code marker}, or null if none did. */
    public byte[] connection(String marker) {
        Connection c = find(marker);
        return c == null ? null : c.bytes.toByteArray();
    }

    /** Whether the connection that carried {@code marker} has ended (the peer closed it, or it was reset). */
    public boolean ended(String marker) {
        Connection c = find(marker);
        return c != null && c.ended;
    }

    /** Closes the connection that carried {@code marker} from this side; false if there is none. */
    public boolean closeConnection(String marker) {
        Connection c = find(marker);
        if (c == null) {
            return false;
        }
        closeQuietly(c.socket);
        return true;
    }

    // --- addresses --------------------------------------------------------------------------------------------

    public String name() {
        return name;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:port}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:port} with a base path, e.g. {@code url("/public")}. */
    public String url(String basePath) {
        return url() + basePath;
    }

    @Override
    public void close() {
        closeQuietly(server);
        connections.forEach(c -> closeQuietly(c.socket));
    }

    // --- the connection loop ----------------------------------------------------------------------------------

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Connection connection = new Connection(server.accept());
                connections.add(connection);
                Thread thread = new Thread(() -> serve(connection), "raw-backend-" + name + "-" + connections.size());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serve(Connection c) {
        try (Socket socket = c.socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(new Recording(socket.getInputStream(), c.bytes), 64 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            for (HttpHead head; (head = HttpHead.read(in)) != null;) {
                if (isProbeRequest(head)) {
                    c.probe = true;
                    probes.incrementAndGet();
                    out.write(PROBE_ANSWER);
                    out.flush();
                    return;
                }
                requests.add(head);
                boolean more = behaviour.serve(head, in, out);
                out.flush();
                if (!more) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer reset the connection, or sent what this backend cannot read: the connection ends
        } finally {
            c.ended = true;
        }
    }

    private List<Connection> traffic() {
        return connections.stream().filter(c -> !isProbe(c)).toList();
    }

    private Connection find(String marker) {
        return traffic().stream().filter(c -> c.text().contains(marker)).findFirst().orElse(null);
    }

    private static boolean isProbe(Connection c) {
        // A probe's head may still be arriving when this is asked: its bytes give it away before it is parsed.
        return c.probe || c.text().contains(PROBE_AGENT);
    }

    private static boolean isProbeRequest(HttpHead head) {
        String agent = head.value("User-Agent");
        return (agent != null && agent.contains(PROBE_AGENT)) || head.target().split("\\?")[0].endsWith("/health");
    }

    /** Reads and drops a request's body, framed by its Content-Length or chunks. */
    private static void skipBody(HttpHead request, InputStream in) throws IOException {
        if (request.chunked()) {
            HttpHead.dechunked(in).transferTo(OutputStream.nullOutputStream());
        } else if (request.contentLength() > 0) {
            in.skipNBytes(request.contentLength());
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }

    /** Copies every byte read from the socket, as it arrives, into the connection's record. */
    private static final class Recording extends FilterInputStream {
        private final ByteArrayOutputStream record;

        Recording(InputStream in, ByteArrayOutputStream record) {
            super(in);
            this.record = record;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                record.write(c);
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                record.write(b, off, n);
            }
            return n;
        }
    }
}
