package io.trafficdistributor.proxy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Head rewriting, backend to client: hop-by-hop headers and the names {@code Connection} lists out, a
 * {@code Date} in when the backend sent none (RFC 9110 §6.6.1), and the body's framing chosen for the client:
 * the backend's length when it gave one; chunked for an HTTP/1.1 client otherwise; for an HTTP/1.0 client, which
 * cannot read chunks, the body runs until the connection closes; 1xx and 204 have no length, 205 a length of 0
 * (as Netty's response encoder did, which HTTP/1.1 answers no longer pass through). The backend's header object is
 * edited in place.
 */
final class ResponseHeads {

    /** How the response body reaches the client. */
    enum Framing {
        /** No body: HEAD, 1xx, 204, 304. */
        NONE,
        /** The backend's Content-Length. */
        LENGTH,
        /** Chunked by the proxy. */
        CHUNKED,
        /** Until the connection closes (an HTTP/1.0 client and no length). */
        CLOSE
    }

    private ResponseHeads() {
    }

    static Framing rewrite(HttpHeaders headers, int status, boolean headRequest, boolean http10Client) {
        String connection = null;
        List<CharSequence> drop = null;
        boolean hasLength = false;
        boolean hasDate = false;
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = all.next();
            CharSequence name = header.getKey();
            if (HopByHop.is(name)) {
                if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
                    connection = connection == null ? header.getValue().toString() : connection + "," + header.getValue();
                }
                if (drop == null) {
                    drop = new ArrayList<>(4);
                }
                drop.add(name);
            } else if (!hasLength && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
                hasLength = true;
            } else if (!hasDate && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.DATE)) {
                hasDate = true;
            }
        }
        if (drop != null) {
            drop.forEach(headers::remove);
        }
        HopByHop.removeListed(headers, connection);
        if (!hasDate) {
            headers.set(HttpHeaderNames.DATE, HttpDate.now());
        }
        if (status < 200 || status == 204) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9110 §8.6: these never carry one
            return Framing.NONE;
        }
        if (status == 205) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO); // RFC 9110 §15.3.6: no content, said so
            return Framing.NONE;
        }
        if (headRequest || status == 304) {
            return Framing.NONE;
        }
        if (hasLength) {
            return Framing.LENGTH;
        }
        if (http10Client) {
            return Framing.CLOSE;
        }
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        return Framing.CHUNKED;
    }
}
