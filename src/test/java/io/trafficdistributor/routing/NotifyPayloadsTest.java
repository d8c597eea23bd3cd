package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Changes packed into NOTIFY payloads below PostgreSQL's limit, and read back line by line, without Quarkus. */
class NotifyPayloadsTest {

    @Test
    void oneChangeIsOnePayloadOfOneLine() {
        assertEquals(List.of("shop 7c0e 3"), NotifyPayloads.pack(List.of("shop 7c0e 3"), NotifyPayloads.MAX_BYTES));
        assertEquals(List.of(), NotifyPayloads.pack(List.of(), NotifyPayloads.MAX_BYTES));
    }

    @Test
    void changesShareAPayloadUntilItIsFullAndNoneIsLostOrReordered() {
        List<String> lines = IntStream.range(0, 1000)
                .mapToObj(i -> "distributor-" + i + " " + UUID.randomUUID() + " " + i).toList();
        List<String> payloads = NotifyPayloads.pack(lines, NotifyPayloads.MAX_BYTES);

        // 52 to 57 bytes a line and its newline: 140 to 144 lines fit one payload of at most 7999 bytes, so 1000
        // lines take 8 payloads.
        assertEquals(8, payloads.size());
        List<String> read = new ArrayList<>();
        for (String payload : payloads) {
            assertTrue(payload.getBytes(StandardCharsets.UTF_8).length <= 7999, payload.length() + " bytes");
            read.addAll(NotifyPayloads.lines(payload));
        }
        assertEquals(lines, read);
    }

    @Test
    void aPayloadIsFilledToTheLastByte() {
        // Two lines of 3 bytes and their newline are exactly 7: one payload at 7, two at 6.
        assertEquals(List.of("abc\ndef"), NotifyPayloads.pack(List.of("abc", "def"), 7));
        assertEquals(List.of("abc", "def"), NotifyPayloads.pack(List.of("abc", "def"), 6));
    }

    @Test
    void aLineThatNoPayloadCanCarryIsLeftOut() {
        assertEquals(List.of("a\nb"), NotifyPayloads.pack(List.of("a", "too-long", "b"), 3));
    }

    @Test
    void linesAreReadWithoutBlanksOrSurroundingSpaces() {
        assertEquals(List.of("shop 7c0e 3", "blog"), NotifyPayloads.lines(" shop 7c0e 3\n\nblog \n"));
        assertEquals(List.of("shop"), NotifyPayloads.lines("shop")); // the one-change payload of older replicas
    }

    @Test
    void aLineIsAboutTheNameItStartsWith() {
        assertEquals("shop", NotifyPayloads.subject("shop 7c0e 3"));
        assertEquals("blog", NotifyPayloads.subject("blog"));
    }
}
