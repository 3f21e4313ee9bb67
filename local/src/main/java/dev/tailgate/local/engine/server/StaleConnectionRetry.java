package dev.tailgate.local.engine.server;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request to llama-server again when the exchange failed before a single byte of an answer arrived.
 *
 * <p>Why: the JDK client keeps an idle HTTP/1.1 connection up to 30 s, llama-server (cpp-httplib) closes it after 5 s
 * of idleness or N requests. A request that takes a pooled connection in the instant the server closes it fails with
 * "header parser received no bytes", a reset or an EOF, and the JDK retries that only for GET and HEAD — our POSTs
 * would fail at random after 5 s of quiet. A server that answered nothing cannot have started answering, and what we
 * send it (chat, completion, template, embeddings) changes nothing on its side, so sending it again is safe.
 *
 * <p>"No byte arrived" is the JDK's own verdict: every I/O failure before a response (a failed write of the request
 * included) reaches its HTTP/1.1 header parser, which names its state in the message — {@value #NO_BYTES} only while
 * it has read nothing (the state in which it retries a GET itself). A status line or headers cut short say "parsing
 * HTTP/1.1 ...": the server did act on that request, and it is never sent again; neither is a refused connect or a
 * timeout. {@code StaleConnectionRetryTest} pins this to the JDK we run on.
 */
final class StaleConnectionRetry {
    private static final Logger LOG = LoggerFactory.getLogger(StaleConnectionRetry.class);
    /** Two: the next pooled connection may be just as stale as the first; a third failure is the server's. */
    static final int RETRIES = 2;
    static final String NO_BYTES = "header parser received no bytes";

    private StaleConnectionRetry() {}

    /** {@link HttpClient#send}, sent again (while {@code wanted}) when it failed before any answer. */
    static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> handler,
            BooleanSupplier wanted) throws IOException, InterruptedException {
        for (int retry = 0; ; retry++) {
            try {
                return http.send(request, handler);
            } catch (IOException e) {
                if (!again(request, e, retry, wanted)) throw e;
            }
        }
    }

    /**
     * {@link HttpClient#sendAsync}, sent again (while {@code wanted}) when it failed before any answer. Each attempt's
     * own future goes to {@code started} first: cancelling that one aborts the exchange on the wire (and ends the
     * retries: a cancelled attempt is not sent again).
     */
    static <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpClient http, HttpRequest request,
            HttpResponse.BodyHandler<T> handler, BooleanSupplier wanted, Consumer<CompletableFuture<?>> started) {
        return attempt(http, request, handler, wanted, started, 0);
    }

    private static <T> CompletableFuture<HttpResponse<T>> attempt(HttpClient http, HttpRequest request,
            HttpResponse.BodyHandler<T> handler, BooleanSupplier wanted, Consumer<CompletableFuture<?>> started, int retry) {
        CompletableFuture<HttpResponse<T>> x = http.sendAsync(request, handler);
        started.accept(x);
        return x.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return again(request, cause, retry, wanted)
                    ? attempt(http, request, handler, wanted, started, retry + 1)
                    : CompletableFuture.failedFuture(cause);
        });
    }

    private static boolean again(HttpRequest request, Throwable failure, int retry, BooleanSupplier wanted) {
        if (retry >= RETRIES || !unanswered(failure) || !wanted.getAsBoolean()) return false;
        // expected now and then (a connection llama-server closed as we took it): not worth a warning
        LOG.debug("{} {} failed before any answer ({}), sending it again", request.method(), request.uri().getPath(), failure.toString());
        return true;
    }

    private static boolean unanswered(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains(NO_BYTES)) return true;
        }
        return false;
    }
}
