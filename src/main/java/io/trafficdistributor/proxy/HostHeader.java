package io.trafficdistributor.proxy;

import java.util.Locale;

/**
 * The Host a request is routed by (RFC 9110 §7.2, RFC 3986 §3.2.2). A value that is not a plain host name or
 * address is refused rather than guessed at: whatever the proxy routes by must be what the backend and the
 * distributor's owner read too, so there is no room for a name that two parsers would split differently
 * (userinfo, a second colon, a percent escape, an octal address).
 * <p>
 * Runs on every request, so the common value ({@code shop.example}, already lower case, no port) is returned
 * as it came, with no copy.
 */
final class HostHeader {

    static final String MISSING = "The request has no Host header.";
    static final String INVALID = "The Host header is not a valid host name or address.";

    /** A DNS name is at most 253 characters; 255 leaves room for the absolute form's dot and some slack. */
    private static final int MAX_NAME_LENGTH = 255;

    private HostHeader() {
    }

    /**
     * The host to look a distributor up by: lower case, without the port and without the trailing dot of an
     * absolute DNS name (as nginx does, so {@code shop.example.} finds {@code shop.example}); an IPv6 literal
     * keeps its brackets. Null when the value is not a valid Host.
     */
    static String host(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        int nameEnd = value.charAt(0) == '[' ? ipv6End(value) : nameEnd(value);
        if (nameEnd < 0 || !validPort(value, nameEnd)) {
            return null;
        }
        return lookupName(value, nameEnd);
    }

    /** Why a Host value cannot be routed, as the text of a 400; null when it can. */
    static String error(String value) {
        if (value == null || value.isEmpty()) {
            return MISSING;
        }
        return host(value) == null ? INVALID : null;
    }

    /** Where a bracketed IPv6 literal ends (after its {@code ]}), or -1. */
    private static int ipv6End(String value) {
        int close = value.indexOf(']');
        if (close < 0 || !IpLiteral.ipv6(value, 1, close, null)) {
            return -1;
        }
        return close + 1;
    }

    /**
     * Where a reg-name or IPv4 literal ends (at the port's colon or the end), or -1 when it has a character
     * outside DNS names, an empty label, or is made of digits and dots without being a dotted-quad address
     * ({@code 1.2.3}, {@code 010.0.0.1} and {@code 4294967295} all reach some other address through
     * {@code inet_aton}).
     */
    private static int nameEnd(String value) {
        int length = value.length();
        boolean onlyDigitsAndDots = true;
        char previous = '.';
        int i = 0;
        for (; i < length; i++) {
            char c = value.charAt(i);
            if (c == ':') {
                break;
            }
            if (c == '.') {
                if (previous == '.') {
                    return -1;
                }
            } else if (IpLiteral.isDigit(c)) {
                // stays digits-and-dots
            } else if (isLetter(c) || c == '-' || c == '_') {
                onlyDigitsAndDots = false;
            } else {
                return -1;
            }
            previous = c;
        }
        if (i == 0 || i > MAX_NAME_LENGTH) {
            return -1;
        }
        if (onlyDigitsAndDots && !IpLiteral.ipv4(value, 0, i, null, 0)) {
            return -1;
        }
        return i;
    }

    /** Nothing, or {@code :} and at most five digits up to 65535 (an empty port is allowed by RFC 3986). */
    private static boolean validPort(String value, int nameEnd) {
        int length = value.length();
        if (nameEnd == length) {
            return true;
        }
        if (value.charAt(nameEnd) != ':' || length - nameEnd - 1 > 5) {
            return false;
        }
        int port = 0;
        for (int i = nameEnd + 1; i < length; i++) {
            char c = value.charAt(i);
            if (!IpLiteral.isDigit(c)) {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    private static String lookupName(String value, int nameEnd) {
        int end = nameEnd;
        if (value.charAt(end - 1) == '.') {
            end--;
            if (end == 0) {
                return null;
            }
        }
        String name = end == value.length() ? value : value.substring(0, end);
        return hasUpperCase(name) ? name.toLowerCase(Locale.ROOT) : name;
    }

    private static boolean hasUpperCase(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return true;
            }
        }
        return false;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
