package io.trafficdistributor.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * An HTTP/2 client written frame by frame on a socket (TLS with ALPN {@code h2}, or plain for h2c), so a test can
 * send what no well-behaved client sends: floods of RST_STREAM, SETTINGS, PING or empty DATA frames, more streams
 * than allowed, headers that disagree. HPACK is Netty's; everything else is the bytes of RFC 9113 §4 and §6.
 */
public final class RawH2 implements AutoCloseable {

    public static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7;
    public static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;
    public static final int NO_ERROR = 0, PROTOCOL_ERROR = 1, CANCEL = 8, REFUSED_STREAM = 7, ENHANCE_YOUR_CALM = 11;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** A frame as read: its type, flags, stream and payload. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY. */
        public int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        public boolean endStream() {
            return (flags & END_STREAM) != 0 && (type == DATA || type == HEADERS);
        }
    }

    /** A response as read: its headers (status among them), body, or the error code it was reset with. */
    public record Response(Http2Headers headers, String body, Integer resetCode) {
        public int status() {
            return headers == null ? -1 : Integer.parseInt(headers.status().toString());
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    /** Responses of other streams read while waiting for one. */
    private final java.util.Map<Integer, Http2Headers> heads = new java.util.HashMap<>();
    private final java.util.Map<Integer, StringBuilder> bodies = new java.util.HashMap<>();
    private final java.util.Map<Integer, Response> ended = new java.util.HashMap<>();

    private RawH2(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(15_000);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new DataInputStream(socket.getInputStream());
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        flush();
        // The server's SETTINGS, acknowledged: its limits apply from here (Netty enforces them once acknowledged).
        while (read().type() != SETTINGS) {
            // a WINDOW_UPDATE may come first
        }
    }

    /** Over TLS, naming {@code sni}, with ALPN offering only h2; {@code receiveBuffer} 0 for the default. */
    public static RawH2 tls(SSLContext context, int port, String sni, int receiveBuffer) throws IOException {
        Socket plain = new Socket();
        if (receiveBuffer > 0) {
            plain.setReceiveBufferSize(receiveBuffer);
        }
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        parameters.setApplicationProtocols(new String[] { "h2" });
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            throw new IOException("ALPN chose '" + socket.getApplicationProtocol() + "', not h2");
        }
        return new RawH2(socket);
    }

    /** h2c with prior knowledge on a plain port. */
    public static RawH2 plain(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new RawH2(socket);
    }

    public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        int length = payload.length;
        out.write(new byte[] { (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream });
        out.write(payload);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** A HEADERS frame with {@code nameValues} (pseudo-headers first, as RFC 9113 §8.3 wants). */
    public void headers(int stream, boolean endStream, String... nameValues) throws IOException {
        Http2Headers headers = new DefaultHttp2Headers(false);
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(nameValues[i], nameValues[i + 1]);
        }
        ByteBuf block = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, block);
        } catch (Http2Exception e) {
            throw new IOException(e);
        }
        byte[] bytes = new byte[block.readableBytes()];
        block.readBytes(bytes);
        block.release();
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, bytes);
    }

    /** A complete GET of {@code path} from {@code authority}, and any further header name/value pairs. */
    public void get(int stream, String authority, String path, String... more) throws IOException {
        String[] all = new String[8 + more.length];
        String[] pseudo = { ":method", "GET", ":scheme", "https", ":path", path, ":authority", authority };
        System.arraycopy(pseudo, 0, all, 0, 8);
        System.arraycopy(more, 0, all, 8, more.length);
        headers(stream, true, all);
    }

    public void data(int stream, byte[] bytes, boolean endStream) throws IOException {
        frame(DATA, endStream ? END_STREAM : 0, stream, bytes);
    }

    public void rst(int stream, int code) throws IOException {
        frame(RST_STREAM, 0, stream, new byte[] { (byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code });
    }

    public void ping(long data) throws IOException {
        byte[] payload = new byte[8];
        for (int i = 0; i < 8; i++) {
            payload[i] = (byte) (data >>> (56 - 8 * i));
        }
        frame(PING, 0, 0, payload);
    }

    /** The next frame; a SETTINGS from the server is acknowledged on the way. */
    public Frame read() throws IOException {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == SETTINGS && (flags & ACK) == 0) {
            frame(SETTINGS, ACK, 0, new byte[0]);
            flush();
        }
        return new Frame(type, flags, stream, payload);
    }

    /** Reads frames until {@code stream} ends or is reset; what other streams receive meanwhile is kept for them. */
    public Response response(int stream) throws IOException {
        while (!ended.containsKey(stream)) {
            Frame frame = read();
            int id = frame.stream();
            if (frame.type() == HEADERS) {
                Http2Headers decoded = decode(frame);
                Http2Headers head = heads.get(id);
                if (head == null || head.status().charAt(0) == '1') {
                    heads.put(id, decoded);
                }
            } else if (frame.type() == DATA) {
                bodies.computeIfAbsent(id, i -> new StringBuilder())
                        .append(new String(frame.payload(), StandardCharsets.UTF_8));
            } else if (frame.type() == RST_STREAM) {
                ended.put(id, new Response(heads.get(id), String.valueOf(bodies.get(id)), frame.errorCode()));
            } else if (frame.type() == GOAWAY) {
                throw new IOException("GOAWAY " + frame.errorCode() + ": " + new String(frame.payload(), 8,
                        frame.payload().length - 8, StandardCharsets.UTF_8));
            }
            if (frame.endStream()) {
                StringBuilder body = bodies.get(id);
                ended.put(id, new Response(heads.get(id), body == null ? "" : body.toString(), null));
            }
        }
        return ended.remove(stream);
    }

    public Http2Headers decode(Frame frame) throws IOException {
        ByteBuf block = Unpooled.wrappedBuffer(frame.payload());
        try {
            return decoder.decodeHeaders(frame.stream(), block);
        } catch (Http2Exception e) {
            throw new IOException(e);
        }
    }

    /**
     * Reads until a GOAWAY (returned) or the end of the connection (null); HEADERS are decoded to keep HPACK's table.
     */
    public Frame untilGoAway() throws IOException {
        try {
            while (true) {
                Frame frame = read();
                if (frame.type() == GOAWAY) {
                    return frame;
                }
                if (frame.type() == HEADERS) {
                    decode(frame);
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return null;
        }
    }

    /** Whether the server closed the connection: the end of the stream, or a reset, within the read timeout. */
    public boolean closedByServer() {
        try {
            while (true) {
                Frame frame = read();
                if (frame.type() == HEADERS) {
                    decode(frame);
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (IOException e) {
            return e instanceof javax.net.ssl.SSLException;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
