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
 * Head rewriting, client to backend. One pass over the client's headers finds what the proxy must know (its
 * Host lines, an Expect, an Upgrade) and what it must not pass on; the same header object is then edited in
 * place and sent to every backend an exchange tries, so a request's headers are copied never.
 * <p>
 * Not passed on: hop-by-hop headers and the names {@code Connection} lists, {@code Proxy} and every
 * {@code Proxy-*} header (httpoxy), {@code Expect} (the proxy answers it), the framing headers (the proxy sets
 * them from the body it sends) and, from a client that is not a trusted proxy, every forwarding header the client
 * could forge ({@code Forwarded}, {@code X-Forwarded-*}, {@code X-Real-IP}, …). Set: {@code Host} (the client's,
 * or the backend's when the distributor does not pass it), {@code X-Forwarded-For/-Proto/-Host/-Port} and an
 * RFC 7239 {@code Forwarded} element, appended to a trusted proxy's.
 */
final class RequestHeads {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private RequestHeads() {
    }

    /** What one pass over a request's headers found. */
    static final class Scan {
        int hostLines;
        String host;
        String expect;
        boolean connectionHeader;
        boolean upgradeHeader;
        /** Names to take out before forwarding (rare: most requests have none). */
        List<CharSequence> drop;

        private void drop(CharSequence name) {
            if (drop == null) {
                drop = new ArrayList<>(4);
            }
            drop.add(name);
        }
    }

    static Scan scan(HttpHeaders headers, boolean trusted) {
        Scan scan = new Scan();
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = all.next();
            CharSequence name = header.getKey();
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
                if (scan.hostLines++ == 0) {
                    scan.host = header.getValue().toString();
                }
            } else if (HopByHop.is(name)) {
                scan.connectionHeader |= AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION);
                scan.upgradeHeader |= AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE);
                scan.drop(name);
            } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.EXPECT)) {
                scan.expect = header.getValue().toString();
                scan.drop(name);
            } else if (ForwardedHeaders.isProxyHeader(name)) {
                scan.drop(name);
            } else if (!trusted && ForwardedHeaders.isClientSupplied(name)) {
                scan.drop(name);
            }
        }
        return scan;
    }

    /**
     * Edits the client's headers into the backend's, once per exchange.
     *
     * The values are best {@link io.netty.util.AsciiString}s: a decoded request's headers validate every value set,
     * a byte array much faster than a {@code String}.
     *
     * @param host          the Host to send, or null when each backend gets its own
     * @param clientAddress the client's address as text, as X-Forwarded-For and Forwarded give it
     * @param forwardedFor  the RFC 7239 element for this hop, e.g. {@code for=192.0.2.1;proto=http;host=h}
     */
    static void rewrite(HttpHeaders headers, Scan scan, CharSequence host, CharSequence clientHost,
            CharSequence clientAddress, CharSequence forwardedElement, CharSequence proto, CharSequence localPort,
            boolean trusted) {
        String connection = scan.connectionHeader ? HopByHop.connectionTokens(headers) : null;
        if (scan.drop != null) {
            for (CharSequence name : scan.drop) {
                headers.remove(name);
            }
        }
        HopByHop.removeListed(headers, connection);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH); // set again from the body actually sent
        if (host != null) {
            headers.set(HttpHeaderNames.HOST, host); // else the exchange sets each backend's own
        }
        if (trusted) {
            headers.set(X_FORWARDED_FOR, ForwardedHeaders.appendList(joined(headers, X_FORWARDED_FOR),
                    clientAddress.toString()));
            headers.set(FORWARDED, ForwardedHeaders.appendList(joined(headers, FORWARDED), forwardedElement.toString()));
            setIfAbsent(headers, X_FORWARDED_PROTO, proto);
            setIfAbsent(headers, X_FORWARDED_HOST, clientHost);
            setIfAbsent(headers, X_FORWARDED_PORT, localPort);
        } else {
            headers.set(X_FORWARDED_FOR, clientAddress);
            headers.set(FORWARDED, forwardedElement);
            headers.set(X_FORWARDED_PROTO, proto);
            headers.set(X_FORWARDED_HOST, clientHost);
            headers.set(X_FORWARDED_PORT, localPort);
        }
    }

    /** Whether the request asks to switch to WebSocket (RFC 6455 §4.1): a GET with Upgrade and Connection: upgrade. */
    static boolean isWebSocketUpgrade(String method, HttpHeaders headers, Scan scan) {
        if (!scan.upgradeHeader || !scan.connectionHeader || !"GET".equals(method)) {
            return false;
        }
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        String connection = HopByHop.connectionTokens(headers);
        return upgrade != null && connection != null && HopByHop.listedIn(upgrade, "websocket")
                && HopByHop.listedIn(connection, HttpHeaderValues.UPGRADE);
    }

    private static String joined(HttpHeaders headers, CharSequence name) {
        List<String> values = headers.getAll(name);
        return values.isEmpty() ? null : values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    private static void setIfAbsent(HttpHeaders headers, CharSequence name, CharSequence value) {
        if (!headers.contains(name)) {
            headers.set(name, value);
        }
    }
}
