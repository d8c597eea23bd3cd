package io.trafficdistributor.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * The byte-level pieces both HTTP/1.x readers share ({@link RequestDecoder} for clients, {@link BackendResponseDecoder}
 * for backends): finding the end of a head, splitting its lines, header names and values, chunk size lines. The
 * readers differ in what they forgive: a client's lines must end in CRLF and its header values must be field
 * content; a backend's lines may end in LF alone (RFC 9112 §2.2) and its values are passed on as they came.
 */
final class Http1Parsing {

    static final byte CR = '\r';
    static final byte LF = '\n';
    /** What {@link HeadSearch#end} returns for a section longer than its limit. */
    static final int TOO_LARGE = -2;
    /** RFC 9110 §5.6.2 tchar. */
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private Http1Parsing() {
    }

    /** Bytes that cannot be read as HTTP/1.x; the message says what, for a log or a 400. */
    static final class Malformed extends IllegalArgumentException {
        Malformed(String message) {
            super(message);
        }
    }

    static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    /**
     * Where a head (or trailer section) ends in a buffer: just past its empty line. Remembers how far it searched,
     * so bytes arriving a few at a time are not searched again.
     */
    static final class HeadSearch {
        /** From the reader index: the start of the line not yet ended. */
        private int searched;

        /** The index just past the empty line, -1 while it has not arrived, or {@link #TOO_LARGE}. */
        int end(ByteBuf in, int limit) {
            int start = in.readerIndex();
            int writer = in.writerIndex();
            int lineStart = start + searched;
            for (;;) {
                int lf = in.indexOf(lineStart, Math.min(writer, start + limit), LF);
                if (lf < 0) {
                    searched = lineStart - start;
                    return writer - start >= limit ? TOO_LARGE : -1;
                }
                if (lf == lineStart || (lf == lineStart + 1 && in.getByte(lineStart) == CR)) {
                    searched = 0;
                    return lf + 1;
                }
                lineStart = lf + 1;
            }
        }
    }

    /**
     * The index of the LF that ends the line starting at {@code from} (a head copied whole always ends in one);
     * refused: a CR not right before that LF, and with {@code crlf} an LF alone. (Other control bytes are the
     * concern of whoever reads the line's parts: the target's parser, the header value check.)
     */
    static int lineEnd(byte[] head, int from, boolean crlf) {
        for (int i = from;; i++) {
            byte b = head[i];
            if (b == LF) {
                if (crlf && (i == from || head[i - 1] != CR)) {
                    throw new Malformed("A line of the head ends in LF without CR.");
                }
                return i;
            }
            if (b == CR && head[i + 1] != LF) {
                throw new Malformed("A CR that does not end a line.");
            }
        }
    }

    /** The end of the line's content: before the CR of its CRLF, if any. */
    static int contentEnd(byte[] head, int from, int lf) {
        return lf > from && head[lf - 1] == CR ? lf - 1 : lf;
    }

    /** The index of the colon that ends the header name of the line [at, stop). */
    static int headerName(byte[] head, int at, int stop) {
        if (head[at] == ' ' || head[at] == '\t') {
            throw new Malformed("A folded header line (obs-fold).");
        }
        int i = at;
        while (i < stop && TOKEN[head[i] & 0xff]) {
            i++;
        }
        if (i == at || i == stop || head[i] != ':') {
            throw new Malformed("A header line without a token name right before a colon.");
        }
        return i;
    }

    /** The header value of the line whose name ends at {@code colon}, without the whitespace around it. */
    static AsciiString headerValue(byte[] head, int colon, int stop, boolean fieldContent) {
        int start = colon + 1;
        while (start < stop && (head[start] == ' ' || head[start] == '\t')) {
            start++;
        }
        int end = stop;
        while (end > start && (head[end - 1] == ' ' || head[end - 1] == '\t')) {
            end--;
        }
        if (fieldContent) {
            for (int i = start; i < end; i++) {
                int b = head[i] & 0xff;
                if (b < 0x20 && b != '\t' || b == 0x7f) {
                    throw new Malformed("A header value has a character not allowed in one.");
                }
            }
        }
        return new AsciiString(head, start, end - start, false);
    }

    /**
     * Splits the header lines of {@code section} from {@code from} up to its empty line into {@code headers}
     * (names and values are views of the array).
     */
    static void headerLines(byte[] section, int from, boolean strict, FlatHeaders headers) {
        for (int at = from; at < section.length;) {
            int lf = lineEnd(section, at, strict);
            int stop = contentEnd(section, at, lf);
            if (stop == at) {
                return;
            }
            int colon = headerName(section, at, stop);
            headers.add(new AsciiString(section, at, colon - at, false), headerValue(section, colon, stop, strict));
            at = lf + 1;
        }
    }

    /**
     * The size of the chunk whose size line ends with the LF at {@code lf}: hex digits, then extensions (dropped:
     * the proxy frames its own chunks), after optional whitespace.
     */
    static long chunkSize(ByteBuf in, int lf, boolean crlf) {
        int start = in.readerIndex();
        int stop = lf > start && in.getByte(lf - 1) == CR ? lf - 1 : lf;
        if (crlf && stop == lf) {
            throw new Malformed("A chunk size line ends in LF without CR.");
        }
        long size = 0;
        int i = start;
        for (; i < stop; i++) {
            int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4)) {
                throw new Malformed("A chunk size is too large.");
            }
            size = (size << 4) + digit;
        }
        if (i == start) {
            throw new Malformed("A chunk size line without a size.");
        }
        while (i < stop && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
            i++;
        }
        if (i < stop && in.getByte(i) != ';') {
            throw new Malformed("A malformed chunk size line.");
        }
        for (; i < stop; i++) {
            byte b = in.getByte(i);
            if (b == CR || b == 0) {
                throw new Malformed("A malformed chunk extension.");
            }
        }
        return size;
    }

    /**
     * Reads the line end after a chunk's data: true once read, false while it has not all arrived; refused when
     * something else is there (or an LF alone, with {@code crlf}).
     */
    static boolean chunkEnd(ByteBuf in, boolean crlf) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        byte first = in.getByte(in.readerIndex());
        if (first == LF && !crlf) {
            in.skipBytes(1);
            return true;
        }
        if (first == CR) {
            if (readable < 2) {
                return false;
            }
            if (in.getByte(in.readerIndex() + 1) == LF) {
                in.skipBytes(2);
                return true;
            }
        }
        throw new Malformed("A chunk's data is not followed by a line end.");
    }

    /** Skips the empty lines before a start line (RFC 9112 §2.2: a stray CRLF after a body is ignored). */
    static void skipEmptyLines(ByteBuf in) {
        while (in.isReadable() && (in.getByte(in.readerIndex()) == CR || in.getByte(in.readerIndex()) == LF)) {
            in.skipBytes(1);
        }
    }
}
