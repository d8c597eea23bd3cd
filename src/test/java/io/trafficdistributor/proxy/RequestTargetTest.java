package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request rules of DESIGN §4 "Request target": what reaches a backend, and what is a 400. */
class RequestTargetTest {

    private static RequestTarget.Result get(String target) {
        return RequestTarget.parse("GET", target);
    }

    private static void assertPath(String expected, String target) {
        RequestTarget.Result result = get(target);
        assertNull(result.error(), () -> target + " was refused: " + result.error());
        assertEquals(expected, result.pathAndQuery(), target);
        assertNull(result.authority(), target);
        assertFalse(result.isError());
    }

    private static void assertRefused(String expectedError, String method, String target) {
        RequestTarget.Result result = RequestTarget.parse(method, target);
        assertEquals(expectedError, result.error(), target);
        assertNull(result.pathAndQuery(), target);
        assertNull(result.authority(), target);
        assertTrue(result.isError());
    }

    private static void assertRefused(String expectedError, String target) {
        assertRefused(expectedError, "GET", target);
    }

    // --- the common case: untouched, and the same string

    @ParameterizedTest
    @ValueSource(strings = { "/", "/index.html", "/a/b/c", "/a/b/", "/search?q=1&r=2", "/.well-known/acme",
            "/a/.hidden/b", "/a/b.c/..d/...", "/?", "/a?x=/../y" })
    void aCleanTargetIsReturnedAsTheSameString(String target) {
        RequestTarget.Result result = get(target);
        assertSame(target, result.pathAndQuery(), target);
        assertNull(result.authority());
        assertNull(result.error());
    }

    @Test
    void aPercentEncodedTargetWithoutDotSegmentsIsAlsoTheSameString() {
        String target = "/files/a%20b/%E2%82%AC?name=%2e%2e";
        assertSame(target, get(target).pathAndQuery());
    }

    // --- dot segments

    @ParameterizedTest
    @CsvSource({
            "/../secret.txt, /secret.txt",
            "/.., /",
            "/., /",
            "/../../../etc/passwd, /etc/passwd",
            "/../a, /a",
            "/a/b/.., /a/",
            "/a/., /a/",
            "/a/./b, /a/b",
            "/a/b/../c, /a/c",
            "/a/b/../../c, /c",
            "/a/b/../../../../c, /c",
            "/a/./, /a/",
            "/a/../, /",
            "/a//../b, /a/b",
            "/public/../admin, /admin" })
    void literalDotSegmentsAreResolvedAndNeverClimbAboveTheRoot(String target, String expected) {
        assertPath(expected, target);
    }

    @ParameterizedTest
    @CsvSource({
            "/%2e%2e/secret, /secret",
            "/%2E%2E/secret, /secret",
            "/a/%2E%2e/b, /b",
            "/a/.%2e/b, /b",
            "/a/%2e./b, /b",
            "/a/%2e/b, /a/b",
            "/a/b/%2E, /a/b/",
            "/a/b/%2e%2E, /a/",
            "/%2e%2e/%2e%2e/etc/passwd, /etc/passwd" })
    void percentEncodedDotSegmentsCountAsDotSegments(String target, String expected) {
        assertPath(expected, target);
    }

    @ParameterizedTest
    @CsvSource({
            "/a/%2e%2ex/b, /a/%2e%2ex/b",
            "/a/%2e%2e%2e/b, /a/%2e%2e%2e/b",
            "/a/%252e%252e/b, /a/%252e%252e/b",
            "/a/.../b, /a/.../b" })
    void segmentsThatOnlyLookLikeDotsAreData(String target, String expected) {
        assertPath(expected, target);
    }

    @Test
    void theQueryIsKeptByteForByteWhileThePathIsNormalised() {
        assertPath("/b?x=/../%2e%2e&y=%zz&z=\\", "/a/../b?x=/../%2e%2e&y=%zz&z=\\");
        assertPath("/?", "/a/..?");
    }

    @ParameterizedTest
    @CsvSource({ "//a, //a", "/a//b, /a//b", "//, //", "///x/./y, ///x/y" })
    void repeatedSlashesAreKept(String target, String expected) {
        assertPath(expected, target);
    }

    // --- encoded separators

    @ParameterizedTest
    @ValueSource(strings = { "/api/v4/projects/group%2Fproject", "/api/v4/projects/group%2fproject/files",
            "/a%5cb", "/a%5Cb/c", "/%2f", "/a/%2F%2F/b" })
    void anEncodedSeparatorBesideOrdinaryCharactersIsData(String target) {
        assertSame(target, get(target).pathAndQuery());
    }

    @Test
    void aSegmentWithAnEncodedSeparatorIsOneSegmentForDotRemoval() {
        assertPath("/b", "/a%2f/../b");
        assertPath("/x/", "/x/group%2Fproject/..");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/..%2fsecret", "/..%2Fsecret", "/a/%2e%2e%5cb", "/a/..%5Cb", "/x/%2f..", "/x/a%2f..",
            "/x/a%2f%2e%2e%2fb", "/.%2fa", "/a%2F.%2Fb", "/..%5c..%5cwindows" })
    void anEncodedSeparatorNextToADotSegmentIsRefused(String target) {
        assertRefused(RequestTarget.ENCODED_SEPARATOR, target);
    }

    // --- malformed percent-encoding

    @ParameterizedTest
    @ValueSource(strings = { "/%", "/a%", "/%g1", "/%1g", "/a%2", "/%2?x=1", "/a/%%41", "/%/..", "/a/%.2e" })
    void aMalformedPercentEncodingInThePathIsRefused(String target) {
        assertRefused(RequestTarget.MALFORMED_PERCENT, target);
    }

    @Test
    void aStrayPercentInTheQueryIsTheBackendsBusiness() {
        assertPath("/sale?discount=50%", "/sale?discount=50%");
    }

    // --- characters

    @ParameterizedTest
    @ValueSource(strings = { "/a\u0000b", "/\u0000", "/a\u007fb", "/a b", "/a\tb", "/a\r\nHost: evil", "/a?q=\u0001",
            "/a?q= ", "\u0000/" })
    void controlCharactersAndSpacesAreRefusedAnywhere(String target) {
        assertRefused(RequestTarget.CONTROL, target);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/caf\u00e9", "/a?q=\u00ff", "/\u20ac", "/\u0080" })
    void nonAsciiIsRefused(String target) {
        assertRefused(RequestTarget.NOT_ASCII, target);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/a#b", "/#", "/a?q=1#frag", "/a/..#/b" })
    void aFragmentIsRefused(String target) {
        assertRefused(RequestTarget.FRAGMENT, target);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/a\\b", "/..\\secret", "/\\", "\\a", "http://host/a\\..\\b" })
    void aBackslashInThePathIsRefused(String target) {
        assertRefused(RequestTarget.BACKSLASH, target);
    }

    @Test
    void aBackslashInTheQueryIsKept() {
        assertPath("/a?path=C:\\temp", "/a?path=C:\\temp");
    }

    // --- asterisk-form

    @Test
    void anAsteriskIsOnlyForOptions() {
        RequestTarget.Result options = RequestTarget.parse("OPTIONS", "*");
        assertEquals("*", options.pathAndQuery());
        assertNull(options.authority());
        assertNull(options.error());
        assertRefused(RequestTarget.ASTERISK, "GET", "*");
        assertRefused(RequestTarget.ASTERISK, "POST", "*");
        assertRefused(RequestTarget.ASTERISK, "options", "*");
        assertRefused(RequestTarget.NOT_A_TARGET, "OPTIONS", "*/a");
        assertRefused(RequestTarget.NOT_A_TARGET, "OPTIONS", "**");
    }

    // --- neither origin- nor absolute-form

    @ParameterizedTest
    @ValueSource(strings = { "ity.txt", "example.com:80", "example.com", "a/b", ".", "../secret", "%2e%2e/secret",
            "?q=1", "ftp://host/file", "file:///etc/passwd", "http:/host/x", "http:host", "https:" })
    void anyOtherFormIsRefused(String target) {
        assertRefused(RequestTarget.NOT_A_TARGET, target);
    }

    @Test
    void aNetworkPathIsAPathNotAHost() {
        assertPath("//host/y", "//host/x/../y");
        assertPath("//", "//host/x/../..");
    }

    @Test
    void anEmptyTargetIsRefused() {
        assertRefused(RequestTarget.NOT_A_TARGET, "");
        assertRefused(RequestTarget.NOT_A_TARGET, null);
    }

    // --- absolute-form

    @Test
    void anAbsoluteTargetIsRoutedByItsAuthorityAndSentAsOriginForm() {
        RequestTarget.Result result = get("HTTP://Shop.Example:8000/x/../y?q=1");
        assertEquals("shop.example:8000", result.authority());
        assertEquals("/y?q=1", result.pathAndQuery());
        assertNull(result.error());
    }

    @ParameterizedTest
    @CsvSource({
            "http://example.com, example.com, /",
            "http://example.com/, example.com, /",
            "https://example.com?q=1, example.com, /?q=1",
            "hTTpS://EXAMPLE.com/a/b, example.com, /a/b",
            "http://example.com:, example.com:, /",
            "http://10.0.0.1:8080/a, 10.0.0.1:8080, /a",
            "http://[2001:DB8::1]:443/a, [2001:db8::1]:443, /a",
            "http://example.com/%2e%2e/%2E%2E/secret, example.com, /secret",
            "http://example.com/a/..?x=1, example.com, /?x=1",
            "http://example.com//x, example.com, //x" })
    void absoluteFormCases(String target, String authority, String pathAndQuery) {
        RequestTarget.Result result = get(target);
        assertNull(result.error(), target);
        assertEquals(authority, result.authority(), target);
        assertEquals(pathAndQuery, result.pathAndQuery(), target);
    }

    @Test
    void anAbsoluteTargetWithADotSegmentBesideAnEncodedSeparatorIsRefused() {
        assertRefused(RequestTarget.ENCODED_SEPARATOR, "http://evil/..%2f");
        assertRefused(RequestTarget.ENCODED_SEPARATOR, "http://evil/..%2fsecret");
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://user@host/", "http://user:pass@host/", "http://@host/",
            "http://trusted.example@evil.example/" })
    void userinfoIsRefused(String target) {
        assertRefused(RequestTarget.USERINFO, target);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http:///x", "http://?q", "http://ho%73t/", "http://host:99999/", "http://host:x/",
            "http://[::1/", "http://exa$mple/", "http://a..b/", "http://010.0.0.1/", "http://1.2.3/",
            "http://host:80:80/" })
    void anAbsoluteTargetWithAnInvalidHostIsRefused(String target) {
        assertRefused(RequestTarget.BAD_AUTHORITY, target);
    }

    @Test
    void anAbsoluteTargetWithAMalformedPathIsRefused() {
        assertRefused(RequestTarget.MALFORMED_PERCENT, "http://host/%zz");
        assertRefused(RequestTarget.CONTROL, "http://host/a b");
        assertRefused(RequestTarget.FRAGMENT, "http://host/#x");
    }

    // --- error texts

    @Test
    void errorTextsNeverEchoTheClientsInput() {
        String hostile = "/" + "A".repeat(5000) + "\u0000<script>";
        String error = get(hostile).error();
        assertEquals(RequestTarget.CONTROL, error);
        assertFalse(error.contains("AAAA"));
        assertTrue(error.length() <= 100);
    }

    // --- base path

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|/x?y|/x?y",
            "/public|/x?y|/public/x?y",
            "/public|/|/public/",
            "/public|//x|/public//x",
            "/public|*|*",
            "''|*|*",
            "/a/b|/c/?q=1|/a/b/c/?q=1" })
    void theBasePathGoesInFront(String basePath, String pathAndQuery, String expected) {
        assertEquals(expected, RequestTarget.withBasePath(basePath, pathAndQuery));
    }

    @Test
    void anEmptyBasePathLeavesTheSameString() {
        String target = "/x?y";
        assertSame(target, RequestTarget.withBasePath("", target));
    }

    @Test
    void aClimbingTargetStaysUnderTheBasePath() {
        String path = get("/%2e%2e/%2e%2e/../etc/passwd").pathAndQuery();
        assertEquals("/srv/www/etc/passwd", RequestTarget.withBasePath("/srv/www", path));
    }
}
