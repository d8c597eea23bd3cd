import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens COUNT kept-alive HTTP/1.1 client connections to 127.0.0.1:PORT, each after one complete request and
 * response (GET / with the given Host, a Content-Length or chunked answer), so that the proxy holds them as real
 * idle keep-alive connections. Prints "open N failed F" when all are up, then holds them, silent, for HOLD_SECONDS
 * or until its standard input closes, and prints how many the other side closed meanwhile ("closed-by-peer C").
 * Needs an open-files limit above COUNT (ulimit -n). For bench/throughput.sh --idle.
 * Usage: java bench/IdleConnections.java PORT HOST COUNT HOLD_SECONDS
 */
public class IdleConnections {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String host = args[1];
        int count = Integer.parseInt(args[2]);
        long holdMillis = Long.parseLong(args[3]) * 1000;
        byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        // A few threads, each opening its share one by one: a steady trickle rather than a burst at the backlog.
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Socket>>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = count / threads + (t < count % threads ? 1 : 0);
            parts.add(pool.submit(() -> {
                List<Socket> open = new ArrayList<>(share);
                for (int i = 0; i < share; i++) {
                    Socket socket = new Socket();
                    try {
                        socket.setSoTimeout(10_000);
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        socket.getOutputStream().write(request);
                        // buffered for the one response only (nothing follows it), not for the idle time
                        readResponse(new BufferedInputStream(socket.getInputStream(), 512));
                        open.add(socket);
                    } catch (IOException e) {
                        socket.close();
                        if (open.size() == i) System.err.println("connection failed: " + e); // first of this thread
                    }
                }
                return open;
            }));
        }
        List<Socket> sockets = new ArrayList<>(count);
        for (Future<List<Socket>> part : parts) sockets.addAll(part.get());
        pool.shutdown();
        System.out.printf("open %d failed %d%n", sockets.size(), count - sockets.size());
        System.out.flush();

        long until = System.currentTimeMillis() + holdMillis;
        Thread waiter = new Thread(() -> {
            try {
                while (System.in.read() >= 0) { /* hold until EOF */ }
            } catch (IOException ignored) {
            }
        });
        waiter.setDaemon(true);
        waiter.start();
        while (waiter.isAlive() && System.currentTimeMillis() < until) Thread.sleep(100);

        int closed = 0;
        for (Socket socket : sockets) {
            try {
                socket.setSoTimeout(1);
                if (socket.getInputStream().read() < 0) closed++;
            } catch (java.net.SocketTimeoutException stillOpen) {
                // nothing to read: still open
            } catch (IOException reset) {
                closed++;
            }
            socket.close();
        }
        System.out.printf("closed-by-peer %d%n", closed);
    }

    /** Reads one response: the head, then a Content-Length body or a chunked one. Fails on anything but 2xx. */
    private static void readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 2")) throw new IOException("answer: " + status);
        long length = -1;
        boolean chunked = false;
        for (String header; !(header = line(in)).isEmpty(); ) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).trim());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
                skip(in, size);
                line(in);
            }
            while (!line(in).isEmpty()) { /* trailers */ }
        } else if (length >= 0) {
            skip(in, length);
        } else {
            throw new IOException("neither Content-Length nor chunked: not kept alive");
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("closed");
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (; n > 0; n--) if (in.read() < 0) throw new IOException("closed");
    }
}
