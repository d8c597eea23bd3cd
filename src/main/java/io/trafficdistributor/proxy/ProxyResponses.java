package io.trafficdistributor.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The responses the proxy writes itself: short plain text naming the distributor, never a stack trace or
 * a backend's address.
 */
final class ProxyResponses {

    static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
    /** Seconds a client is told to wait when no backend could take its request. */
    static final String RETRY_AFTER_SECONDS = "5";
    /** Every method but CONNECT is forwarded; a 405 must say which are allowed (RFC 9110 §15.5.6). */
    static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE";

    private ProxyResponses() {
    }

    /** A whole response of the proxy's own; {@code close} marks it as the connection's last. */
    static FullHttpResponse of(int status, String message, boolean close) {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        headers.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.set(HttpHeaderNames.DATE, HttpDate.now());
        if (status == 503) {
            headers.set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        } else if (status == 405) {
            headers.set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
        }
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** A client-supplied value, shortened and stripped of control characters, safe to echo in a message. */
    static String quote(String value) {
        String shortened = value.length() > 100 ? value.substring(0, 100) + "…" : value;
        return "'" + shortened.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
