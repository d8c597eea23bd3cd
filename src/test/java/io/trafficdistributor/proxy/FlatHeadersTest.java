package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/** The proxy's header list: what Netty's codecs and HttpUtil expect of headers, in the order they came. */
class FlatHeadersTest {

    private static List<String> lines(HttpHeaders headers) {
        List<String> lines = new ArrayList<>();
        headers.iteratorCharSequence().forEachRemaining(e -> lines.add(e.getKey() + ": " + e.getValue()));
        return lines;
    }

    @Test
    void namesMatchIgnoringCaseAndTheOrderIsKept() {
        FlatHeaders headers = new FlatHeaders();
        headers.add("Host", "a.example");
        headers.add("X-Tag", "1");
        headers.add(AsciiString.cached("x-tag"), "2");
        headers.add("Accept", "*/*");
        assertEquals("a.example", headers.get(HttpHeaderNames.HOST));
        assertEquals("1", headers.get("X-TAG"));
        assertEquals(List.of("1", "2"), headers.getAll("x-Tag"));
        assertEquals(List.of(), headers.getAll("missing"));
        assertNull(headers.get("missing"));
        assertEquals(4, headers.size());
        assertEquals(List.of("Host: a.example", "X-Tag: 1", "x-tag: 2", "Accept: */*"), lines(headers));
        assertEquals(List.of("Host", "X-Tag", "x-tag", "Accept"), List.copyOf(headers.names()));
        assertEquals("X-Tag", headers.entries().get(1).getKey());
    }

    @Test
    void setReplacesInThePlaceOfTheFirstAndDropsTheOthers() {
        FlatHeaders headers = new FlatHeaders();
        headers.add("A", "1").add("B", "x").add("b", "y").add("C", "3").add("B", "z");
        headers.set("b", "only");
        assertEquals(List.of("A: 1", "B: only", "C: 3"), lines(headers));
        headers.set("D", 42L);
        assertEquals(List.of("A: 1", "B: only", "C: 3", "D: 42"), lines(headers));
        headers.set("A", List.of("p", "q"));
        assertEquals(List.of("B: only", "C: 3", "D: 42", "A: p", "A: q"), lines(headers));
    }

    @Test
    void removeTakesEveryValueOfTheNameAndKeepsTheRestInOrder() {
        FlatHeaders headers = new FlatHeaders();
        for (int i = 0; i < 40; i++) { // past the first array's size
            headers.add(i % 3 == 0 ? "Drop" : "Keep-" + i, Integer.toString(i));
        }
        headers.remove("DROP");
        assertEquals(26, headers.size());
        assertFalse(headers.contains("drop"));
        assertEquals("Keep-1: 1", lines(headers).get(0));
        assertEquals("Keep-38: 38", lines(headers).get(25)); // 39 is a multiple of 3
        headers.clear();
        assertTrue(headers.isEmpty());
        assertFalse(headers.iteratorCharSequence().hasNext());
    }

    @Test
    void valuesOtherThanTextAreWrittenAsHttpGivesThem() {
        FlatHeaders headers = new FlatHeaders();
        headers.set("Date", new Date(0));
        headers.setInt("Max", 7);
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", headers.get("date"));
        assertEquals(0L, headers.getTimeMillis("Date"));
        assertEquals(7, headers.getInt("max"));
        assertEquals(-1, headers.getInt("none", -1));
        assertThrows(NullPointerException.class, () -> headers.set("X", (Object) null));
    }

    @Test
    void httpUtilReadsFramingAndKeepAliveFromThem() {
        FlatHeaders headers = new FlatHeaders();
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", headers);
        headers.add("Transfer-Encoding", "gzip, Chunked").add("Connection", "keep-alive, Close");
        assertTrue(HttpUtil.isTransferEncodingChunked(request));
        assertFalse(HttpUtil.isKeepAlive(request));
        headers.set("Connection", "keep-alive").remove("transfer-encoding").set("Content-Length", "12");
        assertTrue(HttpUtil.isKeepAlive(request));
        assertEquals(12L, HttpUtil.getContentLength(request));
    }

    /** Map.Entry use that callers rely on: an entry read right away. */
    @Test
    void entriesCarryTheTextAsAdded() {
        FlatHeaders headers = new FlatHeaders();
        AsciiString value = AsciiString.cached("v");
        headers.add("N", value);
        Map.Entry<CharSequence, CharSequence> entry = headers.iteratorCharSequence().next();
        assertTrue(entry.getValue() == value);
        assertEquals("v", headers.valueCharSequenceIterator("n").next().toString());
    }
}
