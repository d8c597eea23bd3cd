package io.trafficdistributor.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of change notifications: one change per line ({@code shop 7c0e… 3}, or a bare name), several lines in
 * one {@code NOTIFY} when changes come faster than they can be sent one by one. PostgreSQL refuses a payload of
 * 8000 bytes or more, so lines are packed into payloads below that.
 */
final class NotifyPayloads {

    /** The longest payload PostgreSQL accepts ({@code pg_notify} wants it shorter than 8000 bytes). */
    static final int MAX_BYTES = 7999;

    private NotifyPayloads() {
    }

    /**
     * The lines, in order, joined by newlines into as few payloads as fit {@code maxBytes} each. A line longer than
     * that on its own is left out: no payload could carry it (names are at most 63 characters, so none is).
     */
    static List<String> pack(List<String> lines, int maxBytes) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder();
        int bytes = 0;
        for (String line : lines) {
            int length = line.getBytes(StandardCharsets.UTF_8).length;
            if (length > maxBytes) {
                continue;
            }
            if (bytes > 0 && bytes + 1 + length > maxBytes) {
                payloads.add(payload.toString());
                payload.setLength(0);
                bytes = 0;
            }
            if (bytes > 0) {
                payload.append('\n');
                bytes++;
            }
            payload.append(line);
            bytes += length;
        }
        if (bytes > 0) {
            payloads.add(payload.toString());
        }
        return payloads;
    }

    /** The changes a payload names, one line each, blank lines and surrounding spaces left out. */
    static List<String> lines(String payload) {
        List<String> lines = new ArrayList<>();
        for (String line : payload.split("\n")) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty()) {
                lines.add(trimmed);
            }
        }
        return lines;
    }

    /** What a line is about: its first word, the name of the distributor or certificate. */
    static String subject(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? line : line.substring(0, space);
    }
}
