package io.trafficdistributor.proxy;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * What the proxy tells a backend about the client (RFC 7239 {@code Forwarded} and the de-facto
 * {@code X-Forwarded-*}), and which incoming headers it must not believe. A backend uses these for access
 * control, rate limits and redirects, so from a client that is not a trusted proxy every such header is
 * replaced, never appended to: otherwise any client could name itself {@code 127.0.0.1}.
 * <p>
 * The name checks run on every header of every request, hence a switch on the length and no lower-casing.
 */
final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /**
     * One {@code Forwarded} element for the hop from {@code client}: {@code for=192.0.2.60;proto=http;host=example.com}.
     * An IPv6 node is bracketed and therefore quoted (RFC 7239 §6); a null client is {@code for=unknown};
     * a null {@code proto} or {@code host} is left out.
     */
    static String forwardedElement(InetAddress client, String proto, String host) {
        StringBuilder element = new StringBuilder(64).append("for=");
        if (client == null) {
            element.append("unknown");
        } else {
            byte[] address = unmapped(client.getAddress());
            if (address.length == IpLiteral.IPV6_BYTES) {
                element.append("\"[").append(IpLiteral.format(address)).append("]\"");
            } else {
                element.append(IpLiteral.format(address));
            }
        }
        if (proto != null) {
            appendPair(element, "proto", proto);
        }
        if (host != null) {
            appendPair(element, "host", host);
        }
        return element.toString();
    }

    /**
     * The client's address as {@code X-Forwarded-For} and logs show it: dotted decimal, or RFC 5952 IPv6
     * without brackets or zone. An IPv4 client accepted on an IPv6 socket is shown as the IPv4 address it is,
     * so that a backend's allow-list of IPv4 ranges still matches it.
     */
    static String clientAddress(InetAddress client) {
        return IpLiteral.format(unmapped(client.getAddress()));
    }

    /** A list-valued header with {@code value} added as its last element: one line, as a backend expects. */
    static String appendList(String existing, String value) {
        return existing == null ? value : existing + ", " + value;
    }

    /**
     * Whether a request header is one of the client-address headers that an untrusted client may not set:
     * the proxy drops it and writes its own. Covers the names backends and frameworks actually read, not only
     * the ones the proxy sends, since any of them can be believed by a backend.
     */
    static boolean isClientSupplied(CharSequence name) {
        return switch (name.length()) {
            case 9 -> is(name, "forwarded") || is(name, "x-real-ip");
            case 11 -> is(name, "x-client-ip");
            case 14 -> is(name, "true-client-ip");
            case 15 -> is(name, "x-forwarded-for");
            case 16 -> is(name, "x-forwarded-host") || is(name, "x-forwarded-port") || is(name, "cf-connecting-ip");
            case 17 -> is(name, "x-forwarded-proto");
            case 18 -> is(name, "x-forwarded-prefix") || is(name, "x-forwarded-server");
            default -> false;
        };
    }

    /**
     * Whether a request header is {@code Proxy} or any {@code Proxy-*}: never forwarded, because CGI-style
     * backends turn {@code Proxy} into {@code HTTP_PROXY} and send their own outgoing requests through
     * whatever the client named (httpoxy, CVE-2016-5385).
     */
    static boolean isProxyHeader(CharSequence name) {
        int length = name.length();
        return (length == 5 || (length > 5 && name.charAt(5) == '-')) && startsWith(name, "proxy");
    }

    private static void appendPair(StringBuilder element, String key, String value) {
        element.append(';').append(key).append('=');
        if (isToken(value)) {
            element.append(value);
            return;
        }
        element.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                element.append('\\');
            }
            element.append(c);
        }
        element.append('"');
    }

    /** RFC 9110 §5.6.2 token: a value made only of these needs no quotes. */
    private static boolean isToken(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] unmapped(byte[] address) {
        return IpLiteral.isIpv4Mapped(address) ? Arrays.copyOfRange(address, 12, 16) : address;
    }

    /** Equality with a lower-case ASCII name, ignoring case; the caller has checked that the lengths match. */
    private static boolean is(CharSequence name, String lowerCase) {
        return startsWith(name, lowerCase);
    }

    /** Whether {@code name} begins with a lower-case ASCII prefix, ignoring case, without allocating. */
    private static boolean startsWith(CharSequence name, String lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
