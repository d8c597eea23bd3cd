package io.trafficdistributor.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The responses the proxy writes itself: short plain text naming the distributor, never a stack trace or
 * a backend's address.
 */
final class ProxyResponses {

    static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    /** Seconds a client is told to wait when no backend could take its request. */
    static final String RETRY_AFTER_SECONDS = "5";

    private ProxyResponses() {
    }

    /** Ends a response of the proxy's own: lookup errors, and what the forwarder answers when no backend did. */
    static Future<Void> end(HttpServerResponse response, int status, String message) {
        Buffer body = Buffer.buffer(message + "\n");
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        if (status == 503) {
            response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.end(body);
    }

    /** A client-supplied value, shortened and stripped of control characters, safe to echo in a message. */
    static String quote(String value) {
        String shortened = value.length() > 100 ? value.substring(0, 100) + "…" : value;
        return "'" + shortened.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
