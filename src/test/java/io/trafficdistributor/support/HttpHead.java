package io.trafficdistributor.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP/1.x message head exactly as it went over the wire (start line, header lines and the blank line that
 * ends it, ISO-8859-1), with small readers for what tests look at. Shared by {@link RawBackend} (request heads the
 * proxy sent) and {@link RawHttp} (response heads the proxy answered).
 */
public record HttpHead(String text) {

    /** Longest head either side reads before it gives up. */
    private static final int MAX_HEAD = 1024 * 1024;

    /**
     * Reads one head up to and including its {@code CRLF CRLF}; {@code null} when the stream ends before its first
     * byte (the peer closed between messages).
     */
    public static HttpHead read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int last4 = 0;
        for (;;) {
            int c = in.read();
            if (c < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("the stream ended inside a head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(c);
            last4 = (last4 << 8) | c;
            if (last4 == 0x0d0a0d0a) {
                return new HttpHead(head.toString(StandardCharsets.ISO_8859_1));
            }
            if (head.size() > MAX_HEAD) {
                throw new IOException("a head longer than " + MAX_HEAD + " bytes");
            }
        }
    }

    /** The request line or status line, without its CRLF. */
    public String startLine() {
        int end = text.indexOf("\r\n");
        return end < 0 ? text : text.substring(0, end);
    }

    /** The header lines, as sent (no CRLF). */
    public List<String> headerLines() {
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n")));
        lines.remove(0);
        lines.removeIf(String::isEmpty);
        return lines;
    }

    /** The values of every header line named {@code name} (case-insensitive), trimmed, in order. */
    public List<String> values(String name) {
        List<String> values = new ArrayList<>();
        for (String line : headerLines()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).trim());
            }
        }
        return values;
    }

    /** The first value of {@code name}, or null. */
    public String value(String name) {
        List<String> values = values(name);
        return values.isEmpty() ? null : values.get(0);
    }

    public boolean has(String name) {
        return !values(name).isEmpty();
    }

    /** A response's status code. */
    public int status() {
        String[] parts = startLine().split(" ", 3);
        return parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
    }

    /** A request's method. */
    public String method() {
        return startLine().split(" ", 2)[0];
    }

    /** A request's target, as sent. */
    public String target() {
        String[] parts = startLine().split(" ");
        return parts.length > 1 ? parts[1] : "";
    }

    /** The Content-Length, or -1 without one. */
    public long contentLength() {
        String value = value("Content-Length");
        return value == null ? -1 : Long.parseLong(value);
    }

    /** Whether the last transfer coding is chunked. */
    public boolean chunked() {
        String value = String.join(",", values("Transfer-Encoding")).toLowerCase(Locale.ROOT);
        return value.matches("(?s).*\\bchunked\\s*$");
    }

    @Override
    public String toString() {
        return text;
    }

    /** The decoded data of a chunked body read from {@code in}; malformed framing is an IOException. */
    public static InputStream dechunked(InputStream in) {
        return new InputStream() {
            private long left = 0;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (done) {
                    return -1;
                }
                if (left == 0) {
                    String line = line(in);
                    String size = line.split(";", 2)[0].trim();
                    if (!size.matches("[0-9a-fA-F]{1,15}")) {
                        throw new IOException("bad chunk size line: " + line);
                    }
                    left = Long.parseLong(size, 16);
                    if (left == 0) {
                        while (!line(in).isEmpty()) {
                            // trailer fields, ignored
                        }
                        done = true;
                        return -1;
                    }
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) {
                    throw new EOFException("the stream ended inside a chunk");
                }
                left -= n;
                if (left == 0 && !line(in).isEmpty()) {
                    throw new IOException("no CRLF after a chunk's data");
                }
                return n;
            }
        };
    }

    /** One CRLF-terminated line (without it). */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (;;) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the stream ended inside a line");
            }
            if (c == '\n') {
                if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
                    throw new IOException("a line ended by LF alone");
                }
                return line.substring(0, line.length() - 1);
            }
            line.append((char) c);
            if (line.length() > 64 * 1024) {
                throw new IOException("a chunk line over 64 KiB");
            }
        }
    }
}
