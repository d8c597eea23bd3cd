package io.trafficdistributor.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Hop-by-hop header names (RFC 9110 §7.6.1, plus Transfer-Encoding, which the proxy sets itself, and the older
 * Keep-Alive and Proxy-Connection): never passed on in either direction. Checked on every header of every
 * request and response, hence no set lookup and no lower-casing.
 */
final class HopByHop {

    private HopByHop() {
    }

    /**
     * Whether a header stays on this hop, not passed on: a hop-by-hop name, or one that {@code connection}
     * (the message's {@link #connectionTokens}, or null) names.
     */
    static boolean dropped(CharSequence name, String connection) {
        return is(name) || (connection != null && listedIn(connection, name));
    }

    /** All of a message's {@code Connection} header values as one list, or null without one. */
    static String connectionTokens(HttpHeaders headers) {
        String first = headers.get(HttpHeaderNames.CONNECTION);
        if (first == null) {
            return null;
        }
        List<String> all = headers.getAll(HttpHeaderNames.CONNECTION);
        return all.size() == 1 ? first : String.join(",", all);
    }

    static boolean is(CharSequence name) {
        return switch (name.length()) {
            case 2 -> AsciiString.contentEqualsIgnoreCase(name, "te");
            case 7 -> AsciiString.contentEqualsIgnoreCase(name, "trailer") || AsciiString.contentEqualsIgnoreCase(name, "upgrade");
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, "connection") || AsciiString.contentEqualsIgnoreCase(name, "keep-alive");
            case 16 -> AsciiString.contentEqualsIgnoreCase(name, "proxy-connection");
            case 17 -> AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding");
            case 18 -> AsciiString.contentEqualsIgnoreCase(name, "proxy-authenticate");
            case 19 -> AsciiString.contentEqualsIgnoreCase(name, "proxy-authorization");
            default -> false;
        };
    }

    /**
     * Whether a {@code Connection} value lists any name that is not itself hop-by-hop ({@code keep-alive},
     * {@code close}, {@code upgrade}…): only then must the other headers be checked against it. Most messages send
     * just {@code keep-alive} or {@code close}.
     */
    static boolean listsOtherNames(String connection) {
        return anyToken(connection, (from, to) -> !(to - from == 5 && connection.regionMatches(true, from, "close", 0, 5))
                && !is(connection.subSequence(from, to)));
    }

    /** Takes out of {@code headers} every header that {@code connection} (a message's Connection list, or null) names. */
    static void removeListed(HttpHeaders headers, String connection) {
        if (connection == null || !listsOtherNames(connection)) {
            return;
        }
        List<String> listed = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            if (listedIn(connection, header.getKey())) {
                listed.add(header.getKey());
            }
        }
        listed.forEach(headers::remove);
    }

    /** Whether a {@code Connection} header value (a comma-separated list) names {@code name}. */
    static boolean listedIn(String connection, CharSequence name) {
        return anyToken(connection, (from, to) -> to - from == name.length()
                && connection.regionMatches(true, from, name.toString(), 0, name.length()));
    }

    /** A token of a comma-separated list, given as its bounds, optional whitespace trimmed. */
    private interface TokenTest {
        boolean test(int from, int to);
    }

    private static boolean anyToken(String list, TokenTest test) {
        int length = list.length();
        int start = 0;
        while (start < length) {
            int end = list.indexOf(',', start);
            if (end < 0) {
                end = length;
            }
            int from = start;
            int to = end;
            while (from < to && (list.charAt(from) == ' ' || list.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (list.charAt(to - 1) == ' ' || list.charAt(to - 1) == '\t')) {
                to--;
            }
            if (to > from && test.test(from, to)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
