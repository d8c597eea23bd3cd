package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.usedHeapAfterGc;
import static io.trafficdistributor.support.RawHttp.assertProxyAnswer;
import static io.trafficdistributor.support.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.util.internal.PlatformDependent;
import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.HttpHead;
import io.trafficdistributor.support.RawBackend;
import io.trafficdistributor.support.RawHttp.Client;
import io.trafficdistributor.support.RawHttp.PatternCounter;
import io.trafficdistributor.support.RawHttp.Response;

/**
 * What a backend answers, an attacker may control too (DESIGN §4, Forwarding): a {@code 101} nobody asked for is a
 * {@code 502}, not a hijacked connection; a huge body streams to the client in constant memory whatever its framing,
 * also to an HTTP/1.0 client (close-delimited) and from a close-delimited backend response.
 */
@QuarkusTest
class AttackResponseTest {

    static final long MIB = 1024 * 1024;
    static final long SIZE = 300 * MIB;
    /** Heap growth a transfer may cause: far below the body, so a proxy that buffers it shows. */
    static final long HEAP_BOUND = 64 * MIB;
    /**
     * Growth of Netty's own direct memory (where the proxy's buffers live, off the heap): looser than the heap's,
     * for the pool's arenas, yet well below the body.
     */
    static final long DIRECT_BOUND = 128 * MIB;

    static void distributor(String name, RawBackend backend) {
        create("""
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"raw","url":"%s"}],
                 "healthCheck":{"enabled":false},"timeouts":{"responseMillis":60000}}""".formatted(name, name, backend.url()));
    }

    @Test
    void anUnaskedFor101Is502() {
        try (RawBackend backend = RawBackend.start("upgrader").switchingProtocols()) {
            distributor("atk-resp-101", backend);
            long start = System.nanoTime();
            Response response = request("GET /plain HTTP/1.1\r\nHost: atk-resp-101.test\r\nConnection: close\r\n\r\n");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertProxyAnswer(response, 502);
            assertTrue(millis < 2000, "502 after " + millis + " ms (the response timeout is 60 s)");

            HttpHead forwarded = backend.lastRequest();
            assertNotNull(forwarded, "the request never reached the backend");
            assertEquals("GET /plain HTTP/1.1", forwarded.startLine());
            assertNull(forwarded.value("Upgrade"), forwarded::text);
            String connection = String.valueOf(forwarded.value("Connection")).toLowerCase();
            assertFalse(connection.contains("upgrade"), forwarded::text);
        }
    }

    /** Bytes read and memory in use sampled three times during the reading of a body of {@link #SIZE}. */
    record Download(PatternCounter counter, List<Long> heapSamples, List<Long> directSamples) {
    }

    /**
     * Reads {@code body} to its end; at 75, 150 and 225 MiB it stops reading for a second (a proxy that ignored
     * back-pressure would fill up meanwhile) and samples memory. {@code slowly}: also pauses after every MiB.
     */
    static Download read(InputStream body, boolean slowly) throws IOException, InterruptedException {
        PatternCounter counter = new PatternCounter();
        List<Long> heap = new ArrayList<>();
        List<Long> direct = new ArrayList<>();
        byte[] buffer = new byte[64 * 1024];
        long nextSample = 75 * MIB;
        long nextPause = MIB;
        for (int n; (n = body.read(buffer)) >= 0;) {
            counter.add(buffer, n);
            if (slowly && counter.count() >= nextPause) {
                nextPause += MIB;
                Thread.sleep(5);
            }
            if (counter.count() >= nextSample && heap.size() < 3) {
                nextSample += 75 * MIB;
                Thread.sleep(1000);
                heap.add(usedHeapAfterGc());
                direct.add(PlatformDependent.usedDirectMemory());
            }
        }
        return new Download(counter, heap, direct);
    }

    static void assertConstantMemory(Download download, long heapBefore, long directBefore) {
        assertEquals(SIZE, download.counter().count(), "body bytes");
        assertEquals(-1, download.counter().firstMismatch(), "the body differs from the backend's at that offset");
        assertEquals(3, download.heapSamples().size(), "memory was not sampled three times");
        for (long sample : download.heapSamples()) {
            assertTrue(sample - heapBefore < HEAP_BOUND, "heap grew by " + (sample - heapBefore) / MIB + " MiB: "
                    + download.heapSamples().stream().map(s -> (s - heapBefore) / MIB + " MiB").toList());
        }
        if (directBefore >= 0) { // -1: Netty does not count its direct memory on this JVM
            for (long sample : download.directSamples()) {
                assertTrue(sample - directBefore < DIRECT_BOUND, "Netty's direct memory grew by "
                        + (sample - directBefore) / MIB + " MiB");
            }
        }
    }

    @Test
    void a300MebibyteChunkedResponseReachesAnHttp10ClientCloseDelimitedInConstantMemory() throws Exception {
        try (RawBackend backend = RawBackend.start("chunked").streamChunked(SIZE)) {
            distributor("atk-resp-http10", backend);
            long heapBefore = usedHeapAfterGc();
            long directBefore = PlatformDependent.usedDirectMemory();
            Download download;
            try (Client client = Client.open()) {
                client.send("GET /huge HTTP/1.0\r\nHost: atk-resp-http10.test\r\n\r\n");
                HttpHead head = client.readHead();
                assertTrue(head.startLine().matches("HTTP/1\\.[01] 200 .*"), head::text);
                // An HTTP/1.0 client cannot read chunks, and a length would mean the body was held whole first.
                assertNull(head.value("Transfer-Encoding"), head::text);
                assertNull(head.value("Content-Length"), head::text);
                // Close-delimited: read() returns -1 only when the proxy closes (else the 10 s timeout fails it).
                download = read(client.in(), true);
            }
            assertConstantMemory(download, heapBefore, directBefore);
            assertTrue(backend.lastRequest().startLine().startsWith("GET /huge HTTP/1."), backend.lastRequest()::text);
        }
    }

    @Test
    void a300MebibyteCloseDelimitedResponseReachesAnHttp11ClientInConstantMemory() throws Exception {
        try (RawBackend backend = RawBackend.start("close-delimited").streamCloseDelimited(SIZE)) {
            distributor("atk-resp-close", backend);
            long heapBefore = usedHeapAfterGc();
            long directBefore = PlatformDependent.usedDirectMemory();
            Download download;
            try (Client client = Client.open()) {
                client.send("GET /huge HTTP/1.1\r\nHost: atk-resp-close.test\r\n\r\n");
                HttpHead head = client.readHead();
                assertTrue(head.startLine().startsWith("HTTP/1.1 200 "), head::text);
                // Re-framed as chunks, or passed on close-delimited; never with a length only known at the end.
                assertNull(head.value("Content-Length"), head::text);
                try (InputStream body = client.body(head)) {
                    download = read(body, false);
                }
            }
            assertConstantMemory(download, heapBefore, directBefore);
            assertEquals("GET /huge HTTP/1.1", backend.lastRequest().startLine());
        }
    }

    /**
     * A backend that closes before its body is whole: the client must be able to tell, so the proxy passes on what
     * came and closes (no last chunk, no keep-alive), whatever the backend's framing.
     */
    @Test
    void aResponseCutShortByTheBackendIsCutShortForTheClient() {
        String[][] cases = {
                { "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello", "hello" },
                { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "hello" },
                { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "hel" } };
        try (RawBackend backend = RawBackend.start("cutter")) {
            distributor("atk-resp-cut", backend);
            for (String[] c : cases) {
                byte[] answer = c[0].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                backend.behave((request, in, out) -> {
                    out.write(answer);
                    out.flush();
                    return false; // and close
                });
                try (Client client = Client.open()) {
                    client.send("GET /cut HTTP/1.1\r\nHost: atk-resp-cut.test\r\n\r\n");
                    HttpHead head = client.readHead();
                    assertTrue(head.startLine().startsWith("HTTP/1.1 200 "), head::text);
                    java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
                    assertTrue(client.closedWithin(java.time.Duration.ofSeconds(5), rest),
                            "the client's connection stayed open after a cut response: " + c[0]);
                    String received = rest.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertEquals(c[1], head.chunked() ? dechunkedWithoutEnd(received) : received, c[0]);
                }
            }
        }
    }

    /** The data of chunks that do not end (the proxy re-frames chunks as they arrive): no last chunk may be there. */
    private static String dechunkedWithoutEnd(String chunks) {
        StringBuilder data = new StringBuilder();
        int at = 0;
        while (at < chunks.length()) {
            int lineEnd = chunks.indexOf("\r\n", at);
            int size = Integer.parseInt(chunks.substring(at, lineEnd), 16);
            assertTrue(size > 0, "a last chunk, so the cut response looks whole: " + chunks);
            data.append(chunks, lineEnd + 2, lineEnd + 2 + size);
            assertEquals("\r\n", chunks.substring(lineEnd + 2 + size, lineEnd + 4 + size), chunks);
            at = lineEnd + 4 + size;
        }
        return data.toString();
    }
}
