import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How long one change takes to reach the proxy. For each of CHANGES rounds: set backend b of DISTRIBUTOR to
 * weight 1 and wait until the proxy sends it traffic; then, while one keep-alive client polls the proxy in a
 * tight loop, PATCH b's weight to 0. The change is in effect from the first request after which no request
 * reached b (checked for WINDOW_MS, default 200 ms, after the PATCH returned); its time is counted from the PATCH's
 * start. ADMIN_URL and PROXY_URL may belong to different replicas. PAUSE_MICROS (default 0: back to back) paces the
 * poller: on a machine of two cores a poller in a tight loop takes one of them from the services it measures.
 * Prints "median_ms max_ms patch_median_ms p99_ms after_answer_median_ms after_answer_p99_ms" (patch: how long the
 * PATCH call itself took, commit included; after_answer: how long after the PATCH's answer the change took effect).
 * Usage: java -Djdk.httpclient.allowRestrictedHeaders=host bench/Propagation.java ADMIN_URL TOKEN PROXY_URL DISTRIBUTOR HOST CHANGES [WINDOW_MS [PAUSE_MICROS]]
 */
public class Propagation {
    static volatile long patchEnd;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        String admin = args[0], token = args[1], proxy = args[2], distributor = args[3], host = args[4];
        int changes = Integer.parseInt(args[5]);
        long windowNanos = (args.length > 6 ? Long.parseLong(args[6]) : 200) * 1_000_000L;
        long pauseNanos = (args.length > 7 ? Long.parseLong(args[7]) : 0) * 1_000L;
        URI backendB = URI.create(admin + "/api/v1/distributors/" + distributor + "/backends/b");
        HttpRequest probe = HttpRequest.newBuilder(URI.create(proxy + "/")).header("Host", host).build();
        double[] effect = new double[changes], patch = new double[changes], afterAnswer = new double[changes];
        for (int i = 0; i < changes; i++) {
            patchWeight(backendB, token, 1);
            while (!get(probe).equals("b")) { }
            List<long[]> seen = new ArrayList<>(); // {sent at, 1 if it reached b}
            patchEnd = Long.MAX_VALUE / 2;
            long start = System.nanoTime();
            Thread poller = new Thread(() -> {
                try {
                    while (System.nanoTime() < patchEnd + windowNanos) {
                        long sentAt = System.nanoTime();
                        seen.add(new long[] {sentAt, get(probe).equals("b") ? 1 : 0});
                        if (pauseNanos > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            poller.start();
            patchWeight(backendB, token, 0);
            patchEnd = System.nanoTime();
            poller.join();
            long inEffectAt = start;
            for (int k = 0; k < seen.size(); k++) {
                if (seen.get(k)[1] == 1) {
                    inEffectAt = k + 1 < seen.size() ? seen.get(k + 1)[0] : System.nanoTime();
                }
            }
            if (seen.get(seen.size() - 1)[1] == 1) {
                System.err.println("change " + i + ": backend b still served " + windowNanos / 1_000_000 + " ms after the PATCH returned");
            }
            effect[i] = Math.max(0, inEffectAt - start) / 1e6;
            afterAnswer[i] = Math.max(0, inEffectAt - patchEnd) / 1e6;
            patch[i] = (patchEnd - start) / 1e6;
        }
        patchWeight(backendB, token, 1);
        Arrays.sort(effect);
        Arrays.sort(patch);
        Arrays.sort(afterAnswer);
        int p99 = Math.min(changes - 1, (int) Math.ceil(changes * 0.99) - 1);
        System.out.printf("%.1f %.1f %.1f %.1f %.1f %.1f%n", effect[changes / 2], effect[changes - 1], patch[changes / 2],
                effect[p99], afterAnswer[changes / 2], afterAnswer[p99]);
    }

    static String get(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    static void patchWeight(URI uri, String token, int weight) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"weight\":" + weight + "}")).build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("PATCH weight " + weight + ": " + response.statusCode() + " " + response.body());
        }
    }
}
