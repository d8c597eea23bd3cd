package io.trafficdistributor.proxy;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's response decoder for a backend connection, told by the exchange whether the request it sent was a
 * {@code HEAD} (whose response has a head only, whatever its Content-Length says). The requests themselves go out
 * as bytes ({@link Http1Writer}), so Netty's client codec, which learns the method from its own encoder, is not
 * used.
 * <p>
 * Header names and values are not validated again: the decoder has already split the head into lines (no CR or LF
 * can get into a name or value), and the check cost 1.5 % of the event loops' time. Client requests are validated
 * in full.
 */
final class BackendResponseDecoder extends HttpResponseDecoder {

    /** Whether the response being read answers a HEAD request. */
    private boolean headRequest;

    BackendResponseDecoder() {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(false)
                .setHeadersFactory(new FlatHeaders.Factory(false)));
    }

    /** Before a request is sent: what its response will be read as. */
    void expectResponseTo(boolean head) {
        this.headRequest = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        // An interim (1xx) response never has a body, and the final one still follows: the flag stays for it.
        if (headRequest && ((HttpResponse) message).status().code() >= 200) {
            return true;
        }
        return super.isContentAlwaysEmpty(message);
    }
}
