package io.trafficdistributor.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/** Streams a large response body without holding it in memory, respecting back-pressure. */
final class Downloads {

    private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

    private Downloads() {
    }

    static void send(HttpServerResponse response, long bytes) {
        response.putHeader("Content-Length", Long.toString(bytes));
        write(response, bytes);
    }

    private static void write(HttpServerResponse response, long remaining) {
        while (remaining > 0 && !response.writeQueueFull()) {
            int size = (int) Math.min(CHUNK.length(), remaining);
            response.write(size == CHUNK.length() ? CHUNK : CHUNK.getBuffer(0, size));
            remaining -= size;
        }
        if (remaining == 0) {
            response.end();
            return;
        }
        long left = remaining;
        response.drainHandler(v -> write(response, left));
    }
}
