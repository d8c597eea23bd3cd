import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates distributors d0..d(count-1), hostnames d<N>.bench.test, each ROUND_ROBIN over backends a and b,
 * through the admin API with a fixed number of requests in flight: CONCURRENCY threads, each with one keep-alive
 * connection, one POST after another. Prints "created failed seconds per-second".
 * <p>
 * Plain sockets rather than java.net.http: the client shares the machine's cores with the service and its
 * database, and the JDK's asynchronous client spent about 12 s of CPU on 10,000 requests (a quarter of what two
 * cores have in that time), this one a small fraction of it.
 * With SERVERS above 1, distributor N's backends are BACKEND_A_URL/sK and BACKEND_B_URL/sK, K = N mod SERVERS: to the
 * health probes (which share one probe per URL and health check) that is 2 x SERVERS servers to probe, while the
 * two NGINX answer them all.
 * INTERVAL (30) is the health check's interval in seconds.
 * <p>
 * The last figure printed is the rate after the first WARM creations (default a tenth of COUNT): on a service just
 * started, the first thousands of requests run while the JIT compiles the API's write path (on two cores it took
 * most of one for the first half minute), as the proxy's first requests do before a throughput run. Every 10 s a
 * progress line goes to standard error.
 * Usage: java bench/CreateMany.java ADMIN_URL TOKEN COUNT CONCURRENCY BACKEND_A_URL BACKEND_B_URL [SERVERS [INTERVAL [WARM]]]
 * Prints "created failed seconds per-second per-second-after-warm".
 */
public class CreateMany {
    public static void main(String[] args) throws Exception {
        URI admin = URI.create(args[0]);
        String token = args[1];
        int count = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        String a = args[4], b = args[5];
        int servers = args.length > 6 ? Integer.parseInt(args[6]) : 1;
        int interval = args.length > 7 ? Integer.parseInt(args[7]) : 30;
        int warm = args.length > 8 ? Integer.parseInt(args[8]) : count / 10;
        AtomicInteger next = new AtomicInteger(), created = new AtomicInteger(), failed = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicLong warmAt = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        long start = System.nanoTime();
        Thread progress = new Thread(() -> {
            int last = 0;
            try {
                for (int second = 10; ; second += 10) {
                    Thread.sleep(10_000);
                    int now = answered.get();
                    System.err.printf("  %4d s: %d answered, %d/s over the last 10 s%n", second, now, (now - last) / 10);
                    last = now;
                }
            } catch (InterruptedException done) {
                // the creations are over
            }
        });
        progress.setDaemon(true);
        progress.start();
        for (int t = 0; t < concurrency; t++) {
            Thread client = new Thread(() -> {
                Socket socket = null;
                InputStream in = null;
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String server = servers > 1 ? "/s" + i % servers : "";
                    String body = "{\"name\":\"d" + i + "\",\"hostnames\":[\"d" + i + ".bench.test\"],\"routing\":\"ROUND_ROBIN\","
                            + "\"backends\":[{\"name\":\"a\",\"url\":\"" + a + server + "\",\"weight\":1},{\"name\":\"b\",\"url\":\"" + b + server + "\",\"weight\":1}],"
                            + "\"healthCheck\":{\"intervalSeconds\":" + interval + "}}";
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    String head = "POST /api/v1/distributors HTTP/1.1\r\nHost: " + admin.getAuthority()
                            + "\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + bytes.length + "\r\n\r\n";
                    try {
                        if (socket == null) {
                            socket = new Socket(admin.getHost(), admin.getPort());
                            socket.setTcpNoDelay(true);
                            in = new BufferedInputStream(socket.getInputStream());
                        }
                        OutputStream out = socket.getOutputStream();
                        out.write(head.getBytes(StandardCharsets.US_ASCII));
                        out.write(bytes);
                        out.flush();
                        Response response = Response.read(in);
                        if (answered.incrementAndGet() == warm) {
                            warmAt.set(System.nanoTime());
                        }
                        if (response.status == 201) {
                            created.incrementAndGet();
                        } else if (failed.incrementAndGet() <= 3) {
                            System.err.println("failed: " + response.status + " " + response.body);
                        }
                        if (response.close) {
                            socket.close();
                            socket = null;
                        }
                    } catch (IOException e) {
                        if (failed.incrementAndGet() <= 3) {
                            System.err.println("failed: " + e);
                        }
                        try {
                            if (socket != null) {
                                socket.close();
                            }
                        } catch (IOException ignored) {
                            // already broken
                        }
                        socket = null;
                    }
                }
            });
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) {
            client.join();
        }
        long end = System.nanoTime();
        progress.interrupt();
        double seconds = (end - start) / 1e9;
        double afterWarm = warmAt.get() == 0 ? Double.NaN : (answered.get() - warm) / ((end - warmAt.get()) / 1e9);
        System.out.printf("%d %d %.2f %.0f %.0f%n", created.get(), failed.get(), seconds, created.get() / seconds, afterWarm);
    }

    /** Status, body and whether the server closes the connection, of one response with a Content-Length. */
    record Response(int status, String body, boolean close) {
        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            boolean close = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring(15).trim());
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            return new Response(status, new String(in.readNBytes(length), StandardCharsets.UTF_8), close);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-response");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
