package io.trafficdistributor.proxy;

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
    static boolean dropped(String name, String connection) {
        return is(name) || (connection != null && listedIn(connection, name));
    }

    /** All of a message's {@code Connection} header values as one list, or null without one. */
    static String connectionTokens(io.vertx.core.MultiMap headers) {
        String first = headers.get(io.vertx.core.http.HttpHeaders.CONNECTION);
        if (first == null) {
            return null;
        }
        java.util.List<String> all = headers.getAll(io.vertx.core.http.HttpHeaders.CONNECTION);
        return all.size() == 1 ? first : String.join(",", all);
    }

    static boolean is(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }

    /** Whether a {@code Connection} header value (a comma-separated list) names {@code name}. */
    static boolean listedIn(String connection, String name) {
        int length = connection.length();
        int start = 0;
        while (start < length) {
            int end = connection.indexOf(',', start);
            if (end < 0) {
                end = length;
            }
            int from = start;
            int to = end;
            while (from < to && (connection.charAt(from) == ' ' || connection.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (connection.charAt(to - 1) == ' ' || connection.charAt(to - 1) == '\t')) {
                to--;
            }
            if (to - from == name.length() && connection.regionMatches(true, from, name, 0, name.length())) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
