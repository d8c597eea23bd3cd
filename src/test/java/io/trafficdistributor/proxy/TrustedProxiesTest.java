package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code td.proxy.trusted-proxies}: whose forwarded headers are believed (DESIGN §4 "Forwarded headers"). */
class TrustedProxiesTest {

    /** An address from its bytes: no name, so no lookup. */
    private static InetAddress ip(int... bytes) throws UnknownHostException {
        byte[] address = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            address[i] = (byte) bytes[i];
        }
        return InetAddress.getByAddress(address);
    }

    private static InetAddress ip(String literal) {
        byte[] address = new byte[literal.indexOf(':') >= 0 ? 16 : 4];
        boolean literalRead = address.length == 16 ? IpLiteral.ipv6(literal, 0, literal.length(), address)
                : IpLiteral.ipv4(literal, 0, literal.length(), address, 0);
        assertTrue(literalRead, literal);
        try {
            return address.length == 16 ? Inet6Address.getByAddress(null, address, -1) : InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static TrustedProxies parse(String... cidrs) {
        return TrustedProxies.parse(Arrays.asList(cidrs));
    }

    @Test
    void noneTrustsNobody() throws UnknownHostException {
        assertFalse(TrustedProxies.none().trusts(ip(127, 0, 0, 1)));
        assertFalse(TrustedProxies.none().trusts(ip("::1")));
        assertFalse(TrustedProxies.none().trusts(null));
        assertTrue(TrustedProxies.none().isEmpty());
        assertEquals("none", TrustedProxies.none().toString());
        assertSame(TrustedProxies.none(), TrustedProxies.parse(List.of()));
        assertSame(TrustedProxies.none(), TrustedProxies.parse(null));
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0, true",
            "10.0.0.0/8, 10.255.255.255, true",
            "10.0.0.0/8, 11.0.0.0, false",
            "10.0.0.0/8, 9.255.255.255, false",
            "192.168.1.7, 192.168.1.7, true",
            "192.168.1.7, 192.168.1.8, false",
            "192.168.1.7/32, 192.168.1.7, true",
            "172.16.0.0/12, 172.31.255.255, true",
            "172.16.0.0/12, 172.32.0.0, false",
            "0.0.0.0/0, 203.0.113.9, true",
            "0.0.0.0/0, ::1, false",
            "128.0.0.0/1, 255.1.1.1, true",
            "128.0.0.0/1, 127.255.255.255, false",
            "::1/128, ::1, true",
            "::1/128, ::2, false",
            "::1, ::1, true",
            "::1, 127.0.0.1, false",
            "2001:db8::/32, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
            "2001:db8::/32, 2001:db9::, false",
            "2001:db8::/32, 2001:db7:ffff::, false",
            "2001:db8:0:0:8000::/65, 2001:db8::8000:0:0:1, true",
            "2001:db8:0:0:8000::/65, 2001:db8::7fff:0:0:1, false",
            "2001:db8::/127, 2001:db8::1, true",
            "2001:db8::/127, 2001:db8::2, false",
            "::/0, 2001:db8::1, true",
            "::/0, 10.0.0.1, false" })
    void anAddressIsTrustedWhenARangeHoldsIt(String cidr, String address, boolean trusted) {
        assertEquals(trusted, parse(cidr).trusts(ip(address)), cidr + " holds " + address);
    }

    @Test
    void anIpv4PeerOnAnIpv6SocketMatchesIpv4Ranges() {
        TrustedProxies proxies = parse("10.0.0.0/8");
        InetAddress mapped = ip("::ffff:10.1.2.3");
        assertTrue(mapped instanceof Inet6Address, "the test needs the IPv6 form, not the JDK's IPv4 one");
        assertTrue(proxies.trusts(mapped));
        assertFalse(proxies.trusts(ip("::ffff:11.1.2.3")));
        assertFalse(proxies.trusts(ip("::10.1.2.3")), "IPv4-compatible is not IPv4-mapped");
    }

    @Test
    void anIpv4MappedRangeIsTheIpv4Range() throws UnknownHostException {
        TrustedProxies proxies = parse("::ffff:10.0.0.0/104");
        assertEquals("10.0.0.0/8", proxies.toString());
        assertTrue(proxies.trusts(ip(10, 9, 8, 7)));
        assertTrue(proxies.trusts(ip("::ffff:10.9.8.7")));
        assertFalse(proxies.trusts(ip(11, 9, 8, 7)));
    }

    @Test
    void severalRangesOfBothFamilies() throws UnknownHostException {
        TrustedProxies proxies = parse(" 10.0.0.0/8", "192.168.1.7 ", "::1", "2001:DB8::/32");
        assertTrue(proxies.trusts(ip(10, 1, 1, 1)));
        assertTrue(proxies.trusts(ip(192, 168, 1, 7)));
        assertTrue(proxies.trusts(ip("::1")));
        assertTrue(proxies.trusts(ip("2001:db8::42")));
        assertFalse(proxies.trusts(ip(192, 168, 1, 6)));
        assertFalse(proxies.trusts(ip("2001:db9::42")));
        assertFalse(proxies.trusts(null));
        assertFalse(proxies.isEmpty());
        assertEquals("10.0.0.0/8, 192.168.1.7/32, ::1/128, 2001:db8::/32", proxies.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "localhost|'localhost' is not a valid CIDR range: it is not an IPv4 or IPv6 address or CIDR range (host names are not resolved; IPv4 is four decimal numbers 0-255 without leading zeros).",
            "proxy.example/32|'proxy.example/32' is not a valid CIDR range: it is not an IPv4 or IPv6 address",
            "\"\"|'' is not a valid CIDR range: it is empty.",
            "\"   \"|'' is not a valid CIDR range: it is empty.",
            "10.0.0/8|'10.0.0/8' is not a valid CIDR range: it is not an IPv4 or IPv6 address",
            "010.0.0.0/8|'010.0.0.0/8' is not a valid CIDR range: it is not an IPv4 or IPv6 address",
            "256.0.0.0/8|'256.0.0.0/8' is not a valid CIDR range: it is not an IPv4 or IPv6 address",
            "10.0.0.0/33|'10.0.0.0/33' is not a valid CIDR range: the prefix length /33 is longer than 32.",
            "::/129|'::/129' is not a valid CIDR range: the prefix length /129 is longer than 128.",
            "10.0.0.0/|'10.0.0.0/' is not a valid CIDR range: the prefix length after '/' must be a number from 0 to 32.",
            "10.0.0.0/x|'10.0.0.0/x' is not a valid CIDR range: the prefix length after '/' must be a number from 0 to 32.",
            "10.0.0.0/-8|'10.0.0.0/-8' is not a valid CIDR range: the prefix length after '/' must be a number from 0 to 32.",
            "10.0.0.0/8/8|'10.0.0.0/8/8' is not a valid CIDR range: the prefix length after '/' must be a number from 0 to 32.",
            "::1/1000|'::1/1000' is not a valid CIDR range: the prefix length after '/' must be a number from 0 to 128.",
            "10.1.2.3/8|'10.1.2.3/8' is not a valid CIDR range: it has address bits set beyond the /8 prefix (did you mean 10.0.0.0/8?).",
            "2001:db8::1/32|'2001:db8::1/32' is not a valid CIDR range: it has address bits set beyond the /32 prefix (did you mean 2001:db8::/32?).",
            "fe80::1%eth0|'fe80::1%eth0' is not a valid CIDR range: it is not an IPv6 address (zones such as %eth0 are not allowed).",
            "[::1]/128|'[::1]/128' is not a valid CIDR range: it is not an IPv6 address",
            "2001:db8:::/48|'2001:db8:::/48' is not a valid CIDR range: it is not an IPv6 address" })
    void anInvalidEntryStopsTheStartNamingItAndWhy(String entry, String expectedMessage) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> parse("10.0.0.0/8", entry));
        assertTrue(error.getMessage().startsWith("td.proxy.trusted-proxies: " + expectedMessage),
                error.getMessage());
    }

    @Test
    void aNullEntryIsAnEmptyOne() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TrustedProxies.parse(Arrays.asList("10.0.0.0/8", null)));
        assertEquals("td.proxy.trusted-proxies: '' is not a valid CIDR range: it is empty.", error.getMessage());
    }

    @Test
    void aLongEntryIsCutInTheMessage() {
        String entry = "a".repeat(500);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> parse(entry));
        assertTrue(error.getMessage().contains("'" + "a".repeat(100) + "…'"), error.getMessage());
        assertFalse(error.getMessage().contains("a".repeat(101)));
    }

    @Test
    void aZeroPrefixTrustsItsWholeFamily() throws UnknownHostException {
        TrustedProxies ipv4 = parse("0.0.0.0/0");
        assertTrue(ipv4.trusts(ip(0, 0, 0, 0)));
        assertTrue(ipv4.trusts(ip(255, 255, 255, 255)));
        assertEquals("0.0.0.0/0", ipv4.toString());
    }
}
