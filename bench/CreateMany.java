import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates distributors d0..d(count-1), hostnames d<N>.bench.test, each ROUND_ROBIN over backends a and b,
 * through the admin API with a fixed number of requests in flight. Prints "created failed seconds per-second".
 * Usage: java bench/CreateMany.java ADMIN_URL TOKEN COUNT CONCURRENCY BACKEND_A_URL BACKEND_B_URL
 */
public class CreateMany {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0] + "/api/v1/distributors");
        String token = args[1];
        int count = Integer.parseInt(args[2]);
        Semaphore inFlight = new Semaphore(Integer.parseInt(args[3]));
        String a = args[4], b = args[5];
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger created = new AtomicInteger(), failed = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String body = "{\"name\":\"d" + i + "\",\"hostnames\":[\"d" + i + ".bench.test\"],\"routing\":\"ROUND_ROBIN\","
                    + "\"backends\":[{\"name\":\"a\",\"url\":\"" + a + "\",\"weight\":1},{\"name\":\"b\",\"url\":\"" + b + "\",\"weight\":1}],"
                    + "\"healthCheck\":{\"intervalSeconds\":30}}";
            HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight.acquire();
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                if (error == null && response.statusCode() == 201) {
                    created.incrementAndGet();
                } else if (failed.incrementAndGet() <= 3) {
                    System.err.println("failed: " + (error != null ? error : response.statusCode() + " " + response.body()));
                }
                inFlight.release();
            });
        }
        inFlight.acquire(Integer.parseInt(args[3]));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d %d %.2f %.0f%n", created.get(), failed.get(), seconds, created.get() / seconds);
    }
}
