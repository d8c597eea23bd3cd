package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the proxy tells a backend about the client (DESIGN §4 "Forwarded headers"). */
class ForwardedHeadersTest {

    private static InetAddress ipv4(int a, int b, int c, int d) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] { (byte) a, (byte) b, (byte) c, (byte) d });
    }

    /** An IPv6 address from its text, kept as an Inet6Address even when IPv4-mapped, never resolved. */
    private static InetAddress ipv6(String literal, int scope) throws UnknownHostException {
        byte[] address = new byte[16];
        assertTrue(IpLiteral.ipv6(literal, 0, literal.length(), address), literal);
        return Inet6Address.getByAddress(null, address, scope);
    }

    private static InetAddress ipv6(String literal) throws UnknownHostException {
        return ipv6(literal, -1);
    }

    // --- Forwarded element

    @Test
    void anIpv4ClientIsAPlainNode() throws UnknownHostException {
        assertEquals("for=192.0.2.60;proto=http;host=example.com",
                ForwardedHeaders.forwardedElement(ipv4(192, 0, 2, 60), "http", "example.com"));
    }

    @Test
    void anIpv6ClientIsBracketedQuotedAndCompressed() throws UnknownHostException {
        assertEquals("for=\"[2001:db8::1]\";proto=https;host=example.com",
                ForwardedHeaders.forwardedElement(ipv6("2001:0db8:0000:0000:0000:0000:0000:0001"), "https",
                        "example.com"));
    }

    @Test
    void anIpv6ClientsZoneIsLeftOut() throws UnknownHostException {
        assertEquals("for=\"[fe80::1]\"", ForwardedHeaders.forwardedElement(ipv6("fe80::1", 3), null, null));
    }

    @Test
    void anIpv4ClientOnAnIpv6SocketIsShownAsIpv4() throws UnknownHostException {
        InetAddress mapped = ipv6("::ffff:192.0.2.60");
        assertTrue(mapped instanceof Inet6Address);
        assertEquals("for=192.0.2.60;proto=http", ForwardedHeaders.forwardedElement(mapped, "http", null));
        assertEquals("192.0.2.60", ForwardedHeaders.clientAddress(mapped));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "example.com:8000|for=192.0.2.60;host=\"example.com:8000\"",
            "[2001:db8::1]:443|for=192.0.2.60;host=\"[2001:db8::1]:443\"",
            "[::1]|for=192.0.2.60;host=\"[::1]\"",
            "shop_1.example|for=192.0.2.60;host=shop_1.example",
            "a\"b\\c|for=192.0.2.60;host=\"a\\\"b\\\\c\"" })
    void aHostOutsideTheTokenCharactersIsQuoted(String host, String expected) throws UnknownHostException {
        assertEquals(expected, ForwardedHeaders.forwardedElement(ipv4(192, 0, 2, 60), null, host));
    }

    @Test
    void anUnknownClientIsSaidToBeUnknown() {
        assertEquals("for=unknown;proto=https;host=example.com",
                ForwardedHeaders.forwardedElement(null, "https", "example.com"));
        assertEquals("for=unknown;host=\"\"", ForwardedHeaders.forwardedElement(null, null, ""));
    }

    @ParameterizedTest
    @CsvSource({
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
            "2001:db8::, 2001:db8::",
            "0:0:0:0:0:0:0:0, ::",
            "::1, ::1",
            "1:0:2:0:3:0:4:0, 1:0:2:0:3:0:4:0",
            "2001:DB8:AA:0:0:0:0:0, 2001:db8:aa::",
            "0:0:0:0:0:fffe:0:1, ::fffe:0:1",
            "::ffff:0:1, 0.0.0.1",
            "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8" })
    void theClientAddressIsRfc5952Text(String literal, String expected) throws UnknownHostException {
        assertEquals(expected, ForwardedHeaders.clientAddress(ipv6(literal)));
    }

    @Test
    void anIpv4ClientAddressIsDottedDecimal() throws UnknownHostException {
        assertEquals("10.0.255.1", ForwardedHeaders.clientAddress(ipv4(10, 0, 255, 1)));
    }

    // --- lists

    @Test
    void aValueIsAppendedToAList() {
        assertEquals("203.0.113.7", ForwardedHeaders.appendList(null, "203.0.113.7"));
        assertEquals("198.51.100.1, 203.0.113.7", ForwardedHeaders.appendList("198.51.100.1", "203.0.113.7"));
        assertEquals("a, b, c", ForwardedHeaders.appendList("a, b", "c"));
        String value = "x";
        assertSame(value, ForwardedHeaders.appendList(null, value));
    }

    // --- header names

    @ParameterizedTest
    @ValueSource(strings = { "forwarded", "Forwarded", "FORWARDED", "x-forwarded-for", "X-Forwarded-For",
            "x-forwarded-proto", "X-FORWARDED-PROTO", "x-forwarded-host", "x-forwarded-port", "x-real-ip",
            "X-Real-IP", "true-client-ip", "True-Client-IP", "x-forwarded-prefix", "x-forwarded-server",
            "x-client-ip", "X-Client-IP", "cf-connecting-ip", "CF-Connecting-IP" })
    void clientAddressHeadersAreClientSupplied(String name) {
        assertTrue(ForwardedHeaders.isClientSupplied(name), name);
        assertTrue(ForwardedHeaders.isClientSupplied(new StringBuilder(name)), "any CharSequence: " + name);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "host", "x-forwarded", "x-forwarded-fo", "x-forwarded-forr", "x-forwarded_for",
            "xforwarded-for", "forwarder", "x-real-id", "x-forwarded-hosts", "y-forwarded-host", "cf-connecting-ix",
            "true-client-id", "x-client-iq", "x-forwarded-prefiy", "x-forwarded-serveR2", "via", "user-agent" })
    void otherHeadersAreNotClientSupplied(String name) {
        assertFalse(ForwardedHeaders.isClientSupplied(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = { "proxy", "Proxy", "PROXY", "proxy-authorization", "Proxy-Connection", "proxy-anything",
            "PROXY-X", "proxy-" })
    void proxyAndEveryProxyDashHeaderIsAProxyHeader(String name) {
        assertTrue(ForwardedHeaders.isProxyHeader(name), name);
        assertTrue(ForwardedHeaders.isProxyHeader(new StringBuilder(name)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "prox", "proxy_authorization", "proxyx", "proxies", "x-proxy", "reverse-proxy",
            "proxy.foo", "prosy-x", "Host" })
    void otherHeadersAreNotProxyHeaders(String name) {
        assertFalse(ForwardedHeaders.isProxyHeader(name), name);
    }
}
