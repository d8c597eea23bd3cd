package io.trafficdistributor.proxy;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.trafficdistributor.routing.CompiledBackend;

/**
 * One JSON line per proxied request on the {@code td.access} log category, when {@code td.proxy.access-log}
 * is on: time, distributor, backend ({@code null} when the proxy answered itself), method, path (without the
 * query, which may carry secrets), status, duration, request and response body bytes, client address and the
 * number of attempts. Route the category anywhere with the usual {@code quarkus.log.category} settings.
 */
final class AccessLog {

    static final String CATEGORY = "td.access";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private AccessLog() {
    }

    static void write(String method, String path, String client, String distributor, CompiledBackend backend,
            int status, long startNanos, long bytesIn, long bytesOut, int attempts) {
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "time", Instant.now().toString()).append(',');
        field(line, "distributor", distributor).append(',');
        field(line, "backend", backend == null ? null : backend.name()).append(',');
        field(line, "method", method).append(',');
        field(line, "path", path).append(',');
        line.append("\"status\":").append(status).append(',');
        line.append("\"durationMillis\":")
                .append(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos) / 1000.0).append(',');
        line.append("\"bytesIn\":").append(bytesIn).append(',');
        line.append("\"bytesOut\":").append(bytesOut).append(',');
        field(line, "client", client).append(',');
        line.append("\"attempts\":").append(attempts).append('}');
        LOG.info(line);
    }

    private static StringBuilder field(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        if (value == null) {
            return line.append("null");
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        return line.append('"');
    }
}
