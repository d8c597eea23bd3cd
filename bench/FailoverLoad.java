import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keep-alive GET clients for the failover benchmark. Usage:
 *   java FailoverLoad.java URL HOST CLIENTS SECONDS EVENT_AT_SECONDS EVENT_COMMAND...
 * EVENT_COMMAND (e.g. {@code kill -STOP 1234}) is run by this client EVENT_AT_SECONDS after its load starts,
 * so the event is timed against the load itself, not against this JVM's start-up.
 * Each client sends GETs back to back with a 2 s timeout. Prints one line:
 *   requests=N failed=N longest_wait_ms=N last_failed_sent_at_ms=N
 * (last_failed_sent_at_ms: when the last failed request was sent, relative to the event: negative means it
 * was already in flight when the event happened; "none" if no request failed).
 */
public class FailoverLoad {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        String host = args[1];
        int clients = Integer.parseInt(args[2]);
        long durationNanos = Duration.ofSeconds(Long.parseLong(args[3])).toNanos();
        long eventAtNanos = Duration.ofSeconds(Long.parseLong(args[4])).toNanos();
        AtomicLong requests = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong longest = new AtomicLong();
        AtomicLong lastFailure = new AtomicLong(Long.MIN_VALUE);
        long start = System.nanoTime();
        List<String> event = List.of(args).subList(5, args.length);
        Thread trigger = new Thread(() -> {
            try {
                Thread.sleep(eventAtNanos / 1_000_000);
                new ProcessBuilder(event).inheritIO().start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException("event command failed: " + event, e);
            }
        });
        trigger.start();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2)).build();
                HttpRequest request = HttpRequest.newBuilder(uri).header("Host", host).timeout(Duration.ofSeconds(2)).GET().build();
                while (System.nanoTime() - start < durationNanos) {
                    long sent = System.nanoTime();
                    boolean ok;
                    try {
                        ok = client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    } catch (Exception e) {
                        ok = false;
                    }
                    long wait = System.nanoTime() - sent;
                    requests.incrementAndGet();
                    longest.accumulateAndGet(wait, Math::max);
                    if (!ok) {
                        failed.incrementAndGet();
                        lastFailure.accumulateAndGet(sent - start - eventAtNanos, Math::max);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        trigger.join();
        System.out.printf("requests=%d failed=%d longest_wait_ms=%d last_failed_sent_at_ms=%s%n",
                requests.get(), failed.get(), longest.get() / 1_000_000,
                lastFailure.get() == Long.MIN_VALUE ? "none" : Long.toString(lastFailure.get() / 1_000_000));
    }
}
