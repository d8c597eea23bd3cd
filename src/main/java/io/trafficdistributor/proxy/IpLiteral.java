package io.trafficdistributor.proxy;

import java.util.Arrays;

/**
 * IP address literals read by hand, never through {@link java.net.InetAddress#getByName}: a string that is not
 * a literal would make that a DNS lookup, on an event loop or at startup, and the JDK also accepts forms that
 * a backend or an operator reads differently ({@code 010.0.0.1} is octal to {@code inet_aton}).
 * <p>
 * Only the strict forms are literals here: dotted decimal with no leading zeros (RFC 3986 {@code dec-octet})
 * and RFC 4291 §2.2 text without a zone, so that the Host lookup, the trusted-proxy ranges and the backend
 * all agree on which address a string names.
 */
final class IpLiteral {

    static final int IPV4_BYTES = 4;
    static final int IPV6_BYTES = 16;

    private IpLiteral() {
    }

    /**
     * Reads {@code text[from, to)} as four dotted-decimal octets into {@code out[offset, offset + 4)};
     * false when it is not exactly that ({@code out} may then be partly written). With a null {@code out} it
     * only checks, so that validating a Host allocates nothing.
     */
    static boolean ipv4(CharSequence text, int from, int to, byte[] out, int offset) {
        int octets = 0;
        int i = from;
        while (octets < IPV4_BYTES) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 3 && isDigit(text.charAt(i))) {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
                return false;
            }
            if (out != null) {
                out[offset + octets] = (byte) value;
            }
            octets++;
            if (octets < IPV4_BYTES) {
                if (i >= to || text.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
        }
        return i == to;
    }

    /**
     * Reads {@code text[from, to)} as an RFC 4291 IPv6 address (hex groups, at most one {@code ::}, optionally
     * ending in dotted-decimal IPv4) into {@code out[0, 16)}; false when it is not one. No zone ({@code %eth0}):
     * a zone means nothing to another host. With a null {@code out} it only checks.
     */
    static boolean ipv6(CharSequence text, int from, int to, byte[] out) {
        int groups = 0;
        int gap = -1;
        int i = from;
        if (to - from >= 2 && text.charAt(i) == ':' && text.charAt(i + 1) == ':') {
            gap = 0;
            i += 2;
        }
        while (i < to) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 5 && hexValue(text.charAt(i)) >= 0) {
                value = (value << 4) | hexValue(text.charAt(i));
                i++;
            }
            if (i < to && text.charAt(i) == '.') {
                // The last 32 bits in dotted decimal: they end the address.
                if (groups > 6 || !ipv4(text, start, to, out, groups * 2)) {
                    return false;
                }
                groups += 2;
                i = to;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4 || groups == 8) {
                return false;
            }
            if (out != null) {
                out[groups * 2] = (byte) (value >>> 8);
                out[groups * 2 + 1] = (byte) value;
            }
            groups++;
            if (i == to) {
                break;
            }
            if (text.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < to && text.charAt(i) == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = groups;
                i++;
            } else if (i == to) {
                return false;
            }
        }
        if (gap < 0) {
            return groups == 8;
        }
        if (groups > 7) {
            return false;
        }
        if (out == null) {
            return true;
        }
        int tail = (groups - gap) * 2;
        System.arraycopy(out, gap * 2, out, IPV6_BYTES - tail, tail);
        Arrays.fill(out, gap * 2, IPV6_BYTES - tail, (byte) 0);
        return true;
    }

    /** Whether sixteen address bytes are an IPv4 client seen through an IPv6 socket ({@code ::ffff:a.b.c.d}). */
    static boolean isIpv4Mapped(byte[] address) {
        if (address.length != IPV6_BYTES) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    /**
     * The canonical text of an address: dotted decimal, or RFC 5952 IPv6 (lower case, no leading zeros, the
     * longest run of two or more zero groups as {@code ::}), so that logs and forwarded headers show one
     * spelling per address instead of the JDK's uncompressed one.
     */
    static String format(byte[] address) {
        if (address.length == IPV4_BYTES) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int group = 0; group < 8; group++) {
            int length = 0;
            while (group + length < 8 && group(address, group + length) == 0) {
                length++;
            }
            if (length > bestLength) {
                bestStart = group;
                bestLength = length;
            }
            group += length;
        }
        StringBuilder text = new StringBuilder(39);
        for (int group = 0; group < 8; group++) {
            if (group == bestStart) {
                text.append("::");
                group += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(group(address, group)));
        }
        return text.toString();
    }

    private static int group(byte[] address, int group) {
        return ((address[group * 2] & 0xff) << 8) | (address[group * 2 + 1] & 0xff);
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
