package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** Small helpers shared by the proxy tests: creating distributors, counting answers, raw HTTP. */
final class ProxyTestSupport {

    private ProxyTestSupport() {
    }

    /** Creates a distributor through the API from a JSON document and expects 201. */
    static void create(String document) {
        json(document).post("/api/v1/distributors").then().statusCode(201);
    }

    /** A backend entry for a distributor document. */
    static String backend(String name, String url, int weight) {
        return "{\"name\":\"%s\",\"url\":\"%s\",\"weight\":%d}".formatted(name, url, weight);
    }

    static String backend(TestBackend server, int weight) {
        return backend(server.name(), server.url(), weight);
    }

    /** Merge-patches one backend of a distributor through the API. */
    static void patchBackend(String distributor, String backend, String patch) {
        api().contentType("application/merge-patch+json").body(patch)
                .patch("/api/v1/distributors/{name}/backends/{backend}", distributor, backend)
                .then().statusCode(200);
    }

    /** Merge-patches a distributor through the API. */
    static void patch(String distributor, String patch) {
        api().contentType("application/merge-patch+json").body(patch)
                .patch("/api/v1/distributors/{name}", distributor)
                .then().statusCode(200);
    }

    /** {@code n} consecutive GETs of {@code /} for {@code host}, each expected to be a 200; their bodies in order. */
    static List<String> answers(String host, int n) {
        List<String> answers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            HttpResponse<String> response = ProxyClient.get(host, "/");
            assertEquals(200, response.statusCode(), () -> "request " + answers.size() + ": " + response.body());
            answers.add(response.body());
        }
        return answers;
    }

    static long count(List<String> answers, String name) {
        return answers.stream().filter(name::equals).count();
    }

    /**
     * Sends raw bytes to the proxy listener and reads one response: its head, then a body of its
     * Content-Length, or everything until the proxy closes the connection when it gives none.
     */
    static String raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", ProxyClient.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            int headEnd = -1;
            while (headEnd < 0) {
                int c = in.read();
                if (c < 0) {
                    return response.toString(StandardCharsets.ISO_8859_1);
                }
                response.write(c);
                if (response.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    headEnd = response.size();
                }
            }
            String head = response.toString(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
            if (length.find()) {
                response.write(in.readNBytes(Integer.parseInt(length.group(1))));
            } else {
                in.transferTo(response);
            }
            return response.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks a response the proxy wrote itself: the status, short text/plain naming the distributor (when
     * given), and nothing that gives a backend away or looks like a stack trace.
     */
    static void assertProxyError(HttpResponse<String> response, int status, String distributor, TestBackend... backends) {
        assertEquals(status, response.statusCode(), response.body());
        String contentType = response.headers().firstValue("content-type").orElse("");
        assertTrue(contentType.startsWith("text/plain"), contentType);
        String body = response.body();
        assertFalse(body.isBlank(), "an empty error body");
        assertTrue(body.length() < 300, body);
        if (distributor != null) {
            assertTrue(body.contains(distributor), body);
        }
        assertFalse(body.contains("127.0.0.1"), body);
        assertFalse(body.contains("localhost"), body);
        assertFalse(body.contains("Exception"), body);
        assertFalse(body.contains("\tat "), body);
        assertFalse(body.matches("(?s).*:\\d{2,5}.*"), body);
        for (TestBackend backend : backends) {
            assertFalse(body.contains(Integer.toString(backend.port())), body);
        }
    }

    /** Heap in use after a few collections, to compare before and during a large transfer. */
    static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * The heap in use after one full collection, without pauses: for a measurement taken on a client's sending
     * thread mid-upload, where the three collections and pauses of {@link #usedHeapAfterGc()} could hold the body
     * back past the proxy's body timeout (2 s in tests) on a loaded machine.
     */
    static long usedHeapAfterOneGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
