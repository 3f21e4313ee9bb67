package dev.tailgate.wire.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;
import java.util.Locale;

/**
 * Request framing per RFC 9112 §6.1, on both services: a request that carries {@code Transfer-Encoding} together with
 * {@code Content-Length}, or a {@code Transfer-Encoding} other than exactly {@code chunked}, is refused with 400 and the
 * connection is closed. Netty alone would drop the {@code Content-Length} and read the body as chunked (or ignore an
 * unknown coding and read by length), so the bytes after the body ran as a second, smuggled request.
 *
 * <p>The check sits in the HTTP decoder itself: it is the one place that sees the complete head before the body framing
 * is chosen, and a decoder failure puts Netty in its bad-message state, where every later byte on the connection is
 * discarded — the smuggled request is never decoded. The request then reaches the server's
 * {@link InvalidRequests} handler (400 in the OpenAI shape, {@code Connection: close}).
 */
public final class StrictFraming {
    private static final String DECODER = "httpDecoder"; // the name Vert.x gives its HTTP/1 request decoder

    private StrictFraming() {}

    /** Why a request with these headers cannot be framed safely, or null when it can. */
    public static String violation(HttpHeaders headers) {
        List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (te.isEmpty()) return null;
        if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return "A request must not carry both Content-Length and Transfer-Encoding.";
        }
        if (te.size() != 1 || !te.get(0).trim().toLowerCase(Locale.ROOT).equals("chunked")) {
            return "Transfer-Encoding must be exactly 'chunked' (no other codings are accepted).";
        }
        return null;
    }

    /**
     * For {@code HttpServer.connectionHandler}: puts the strict decoder in place of Vert.x's on this HTTP/1 connection.
     * Runs before the connection has read a byte: Vert.x calls the handler while setting the connection up, as long as
     * h2c is off (with it on, the connection is created only after its first bytes were read by the h2c detector).
     */
    public static void apply(HttpConnection connection, HttpServerOptions options) {
        if (options.isHttp2ClearTextEnabled()) throw new IllegalArgumentException("StrictFraming needs h2c off");
        if (!(connection instanceof ConnectionBase base)) return;
        var pipeline = base.channel().pipeline();
        if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder && !(pipeline.get(DECODER) instanceof Decoder)) {
            pipeline.replace(DECODER, DECODER, new Decoder(options));
        }
    }

    /** Thrown inside the decoder; the request arrives at the invalid-request handler with this as its cause. */
    public static final class FramingException extends IllegalArgumentException {
        FramingException(String message) {
            super(message, null);
        }
    }

    private static final class Decoder extends VertxHttpRequestDecoder {
        Decoder(HttpServerOptions options) {
            super(options);
        }

        /**
         * Netty calls this once the headers are read and before it picks the body framing; an exception here fails the
         * message and switches the decoder to discarding the rest of the connection.
         */
        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            String why = violation(msg.headers());
            if (why != null) throw new FramingException(why);
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
