package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Host a request is routed by (DESIGN §4 "Lookup"). */
class HostHeaderTest {

    @ParameterizedTest
    @ValueSource(strings = { "shop.example", "a", "localhost", "x-1.example_2.com", "10.0.0.1", "255.255.255.255",
            "0.0.0.0", "[::1]", "[2001:db8::1]", "[::ffff:10.1.2.3]", "xn--bcher-kva.example", "1.2.3.4a", "123abc" })
    void aLowerCaseHostWithoutPortIsReturnedAsTheSameString(String value) {
        assertSame(value, HostHeader.host(value));
        assertNull(HostHeader.error(value));
    }

    @ParameterizedTest
    @CsvSource({
            "Shop.Example, shop.example",
            "SHOP.EXAMPLE:8080, shop.example",
            "shop.example:80, shop.example",
            "shop.example:, shop.example",
            "shop.example:0, shop.example",
            "shop.example:65535, shop.example",
            "shop.example:00080, shop.example",
            "shop.example., shop.example",
            "Shop.Example.:443, shop.example",
            "10.0.0.1:8080, 10.0.0.1",
            "[::1]:8080, [::1]",
            "[2001:DB8::A]:443, [2001:db8::a]",
            "[2001:db8::a]:, [2001:db8::a]",
            "[1:2:3:4:5:6:7:8], [1:2:3:4:5:6:7:8]",
            "[::], [::]",
            "[1::], [1::]",
            "[::1.2.3.4], [::1.2.3.4]" })
    void theLookupNameIsLowerCaseWithoutPortOrTrailingDot(String value, String expected) {
        assertEquals(expected, HostHeader.host(value));
        assertNull(HostHeader.error(value));
    }

    @Test
    void aNameOf255CharactersIsTheLongestAccepted() {
        String longest = ("a".repeat(63) + ".").repeat(4).substring(0, 255);
        assertEquals(255, longest.length());
        assertSame(longest, HostHeader.host(longest));
        assertNull(HostHeader.host(longest + "a"));
        assertNull(HostHeader.host("a".repeat(256) + ":80"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // not DNS characters, or delimiters of other URI parts
            "shop example", "shop.example/", "shop.example?", "shop.example#", "user@shop.example", "shop%2eexample",
            "caf\u00e9.example", "shop\u0000.example", "shop\\example", "*.example", "shop!.example", "\tshop",
            // empty labels and empty names
            ".", ".shop.example", "shop..example", ":80", ":", "..",
            // ports
            "shop.example:65536", "shop.example:99999", "shop.example:123456", "shop.example:-1", "shop.example:8a",
            "shop.example: 80", "shop.example:80:80", "shop.example::80",
            // numbers that inet_aton reads as some other address
            "1.2.3", "1.2.3.4.5", "256.0.0.1", "010.0.0.1", "1.2.3.04", "4294967295", "1.2.3.4.",
            "127.1",
            // IPv6 without or with broken brackets, zones, IPvFuture
            "::1", "2001:db8::1", "[::1", "::1]", "[]", "[::1]x", "[::1]:8080:", "[::1]:99999", "[::1%25eth0]",
            "[fe80::1%eth0]", "[v1.fe]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[12345::]", "[:1]", "[1:]", "[g::]",
            "[1:2:3:4:5:6:7::8]", "[::1.2.3]", "[1.2.3.4]", "[::1.2.3.4:5]", "[1:2:3:4:5:6:7:1.2.3.4]", "[:::]" })
    void anInvalidHostIsRefused(String value) {
        assertNull(HostHeader.host(value), value);
        assertEquals(HostHeader.INVALID, HostHeader.error(value), value);
        assertEquals("The Host header is not a valid host name or address.", HostHeader.error(value));
    }

    @Test
    void anIpv4TailCompletesEightGroups() {
        assertEquals("[1:2:3:4:5:6:1.2.3.4]", HostHeader.host("[1:2:3:4:5:6:1.2.3.4]"));
        assertEquals("[::ffff:1.2.3.4]", HostHeader.host("[::FFFF:1.2.3.4]"));
        assertNull(HostHeader.host("[1:2:3:4:5:6::1.2.3.4]"), ":: must stand for at least one group");
    }

    @Test
    void aMissingHostHasItsOwnText() {
        assertNull(HostHeader.host(null));
        assertNull(HostHeader.host(""));
        assertEquals("The request has no Host header.", HostHeader.error(null));
        assertEquals("The request has no Host header.", HostHeader.error(""));
    }
}
