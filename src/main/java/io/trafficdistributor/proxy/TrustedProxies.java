package io.trafficdistributor.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The peers whose {@code Forwarded} and {@code X-Forwarded-*} headers the proxy believes
 * ({@code td.proxy.trusted-proxies}). Anyone else could write any client address into them, so from anyone
 * else they are dropped and rewritten.
 * <p>
 * Entries are address literals only, never names: a name would be resolved once at startup (and go stale)
 * or on every request (and stall an event loop), and whoever controls the DNS would choose whom to trust.
 * A mistake in an entry stops the start with a message naming it, since a silently ignored entry means
 * either spoofable client addresses or a load balancer whose clients all look like one.
 */
final class TrustedProxies {

    private static final TrustedProxies NONE = new TrustedProxies(new int[0], new int[0], new long[0], List.of());

    /** IPv4 ranges: network and mask as ints, pairwise. */
    private final int[] ipv4Networks;
    private final int[] ipv4Masks;
    /** IPv6 ranges: network high, network low, mask high, mask low, four longs per range. */
    private final long[] ipv6Ranges;
    private final List<String> entries;

    private TrustedProxies(int[] ipv4Networks, int[] ipv4Masks, long[] ipv6Ranges, List<String> entries) {
        this.ipv4Networks = ipv4Networks;
        this.ipv4Masks = ipv4Masks;
        this.ipv6Ranges = ipv6Ranges;
        this.entries = entries;
    }

    static TrustedProxies none() {
        return NONE;
    }

    /**
     * Ranges from CIDR entries ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is a single host).
     *
     * @throws IllegalArgumentException naming the first entry that is not one, and why
     */
    static TrustedProxies parse(List<String> cidrs) {
        if (cidrs == null || cidrs.isEmpty()) {
            return NONE;
        }
        List<int[]> ipv4 = new ArrayList<>();
        List<long[]> ipv6 = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (String cidr : cidrs) {
            String entry = cidr == null ? "" : cidr.strip();
            Range range = Range.parse(entry);
            if (range.bytes.length == IpLiteral.IPV4_BYTES) {
                ipv4.add(new int[] { toInt(range.bytes, 0), ipv4Mask(range.prefix) });
            } else {
                ipv6.add(new long[] { toLong(range.bytes, 0), toLong(range.bytes, 8), ipv6MaskHigh(range.prefix),
                        ipv6MaskLow(range.prefix) });
            }
            entries.add(range.text());
        }
        int[] networks = new int[ipv4.size()];
        int[] masks = new int[ipv4.size()];
        for (int i = 0; i < networks.length; i++) {
            networks[i] = ipv4.get(i)[0];
            masks[i] = ipv4.get(i)[1];
        }
        long[] ranges = new long[ipv6.size() * 4];
        for (int i = 0; i < ipv6.size(); i++) {
            System.arraycopy(ipv6.get(i), 0, ranges, i * 4, 4);
        }
        return new TrustedProxies(networks, masks, ranges, List.copyOf(entries));
    }

    /**
     * Whether the peer at {@code address} is a trusted proxy. An IPv4 peer accepted on an IPv6 socket
     * ({@code ::ffff:10.1.2.3}) is the IPv4 peer it is, and matches IPv4 ranges.
     */
    boolean trusts(InetAddress address) {
        if (address == null || entries.isEmpty()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == IpLiteral.IPV4_BYTES) {
            return trustsIpv4(toInt(bytes, 0));
        }
        if (IpLiteral.isIpv4Mapped(bytes)) {
            return trustsIpv4(toInt(bytes, 12));
        }
        return trustsIpv6(toLong(bytes, 0), toLong(bytes, 8));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The ranges in canonical form, for the startup log. */
    @Override
    public String toString() {
        return entries.isEmpty() ? "none" : String.join(", ", entries);
    }

    private boolean trustsIpv4(int address) {
        for (int i = 0; i < ipv4Networks.length; i++) {
            if ((address & ipv4Masks[i]) == ipv4Networks[i]) {
                return true;
            }
        }
        return false;
    }

    private boolean trustsIpv6(long high, long low) {
        for (int i = 0; i < ipv6Ranges.length; i += 4) {
            if ((high & ipv6Ranges[i + 2]) == ipv6Ranges[i] && (low & ipv6Ranges[i + 3]) == ipv6Ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** One entry read: address bytes (4 or 16) and prefix length. */
    private record Range(byte[] bytes, int prefix) {

        static Range parse(String entry) {
            if (entry.isEmpty()) {
                throw invalid(entry, "it is empty");
            }
            int slash = entry.indexOf('/');
            int addressEnd = slash < 0 ? entry.length() : slash;
            byte[] bytes = address(entry, addressEnd);
            int maxPrefix = bytes.length * 8;
            int prefix = slash < 0 ? maxPrefix : prefix(entry, slash + 1, maxPrefix);
            if (!hostBitsClear(bytes, prefix)) {
                throw invalid(entry, "it has address bits set beyond the /" + prefix + " prefix (did you mean "
                        + IpLiteral.format(masked(bytes, prefix)) + "/" + prefix + "?)");
            }
            if (IpLiteral.isIpv4Mapped(bytes) && prefix >= 96) {
                // ::ffff:10.0.0.0/104 is 10.0.0.0/8: peers of either form match it.
                return new Range(Arrays.copyOfRange(bytes, 12, 16), prefix - 96);
            }
            return new Range(bytes, prefix);
        }

        String text() {
            return IpLiteral.format(bytes) + "/" + prefix;
        }

        private static byte[] address(String entry, int end) {
            if (entry.indexOf(':') >= 0 && entry.indexOf(':') < end) {
                byte[] bytes = new byte[IpLiteral.IPV6_BYTES];
                if (!IpLiteral.ipv6(entry, 0, end, bytes)) {
                    throw invalid(entry, "it is not an IPv6 address (zones such as %eth0 are not allowed)");
                }
                return bytes;
            }
            byte[] bytes = new byte[IpLiteral.IPV4_BYTES];
            if (!IpLiteral.ipv4(entry, 0, end, bytes, 0)) {
                throw invalid(entry, "it is not an IPv4 or IPv6 address or CIDR range (host names are not"
                        + " resolved; IPv4 is four decimal numbers 0-255 without leading zeros)");
            }
            return bytes;
        }

        private static int prefix(String entry, int from, int maxPrefix) {
            int length = entry.length() - from;
            if (length < 1 || length > 3) {
                throw invalid(entry, "the prefix length after '/' must be a number from 0 to " + maxPrefix);
            }
            int prefix = 0;
            for (int i = from; i < entry.length(); i++) {
                char c = entry.charAt(i);
                if (!IpLiteral.isDigit(c)) {
                    throw invalid(entry, "the prefix length after '/' must be a number from 0 to " + maxPrefix);
                }
                prefix = prefix * 10 + (c - '0');
            }
            if (prefix > maxPrefix) {
                throw invalid(entry, "the prefix length /" + prefix + " is longer than " + maxPrefix);
            }
            return prefix;
        }

        private static boolean hostBitsClear(byte[] bytes, int prefix) {
            return Arrays.equals(bytes, masked(bytes, prefix));
        }

        private static byte[] masked(byte[] bytes, int prefix) {
            byte[] masked = bytes.clone();
            for (int bit = prefix; bit < masked.length * 8; bit++) {
                masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return masked;
        }

        private static IllegalArgumentException invalid(String entry, String why) {
            String shown = entry.length() > 100 ? entry.substring(0, 100) + "…" : entry;
            return new IllegalArgumentException(
                    "td.proxy.trusted-proxies: '" + shown + "' is not a valid CIDR range: " + why + ".");
        }
    }

    private static int ipv4Mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static long ipv6MaskHigh(int prefix) {
        return prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
    }

    private static long ipv6MaskLow(int prefix) {
        return prefix <= 64 ? 0 : -1L << (128 - prefix);
    }

    private static int toInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16) | ((bytes[offset + 2] & 0xff) << 8)
                | (bytes[offset + 3] & 0xff);
    }

    private static long toLong(byte[] bytes, int offset) {
        return ((long) toInt(bytes, offset) << 32) | (toInt(bytes, offset + 4) & 0xffffffffL);
    }
}
