package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The race of a pooled keep-alive connection that llama-server closes as the client takes it, made deterministic: a
 * loopback server answers the first request on a connection and reads the next one on the same connection, then closes
 * it without a byte of answer. A real JDK client, built as {@link LlamaServerModel} builds its own, sends through
 * {@link StaleConnectionRetry} — blocking (the model's {@code post}) and async (its streams).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StaleConnectionRetryTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Runnable::run).build();
    LoopbackServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
        http.shutdownNow();
    }

    /** What the loopback server does with the n-th request on one connection (n from 1). */
    enum Reply { ANSWER, CLOSE, RESET, CLOSE_UNREAD, PARTIAL_STATUS, PARTIAL_HEADERS, HOLD }

    /** The model's two ways of sending, both through the retry. */
    enum Send {
        BLOCKING, ASYNC;

        HttpResponse<String> call(HttpClient http, HttpRequest request, BooleanSupplier wanted) throws Exception {
            if (this == BLOCKING) return StaleConnectionRetry.send(http, request, HttpResponse.BodyHandlers.ofString(), wanted);
            try {
                return StaleConnectionRetry.sendAsync(http, request, HttpResponse.BodyHandlers.ofString(), wanted, x -> {}).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    HttpRequest post(String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/embeddings"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @ParameterizedTest
    @EnumSource(Send.class)
    void aRequestOnAConnectionTheServerClosedUnansweredIsSentAgainOnANewOne(Send send) throws Exception {
        server = new LoopbackServer(n -> n == 1 ? Reply.ANSWER : Reply.CLOSE);
        assertThat(send.call(http, post("one"), () -> true).body()).isEqualTo("answer to one");
        HttpResponse<String> second = send.call(http, post("two"), () -> true);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("answer to two");
        assertThat(server.requests).as("the server read the second request twice").containsExactly("one", "two", "two");
        assertThat(server.connections).as("the second time on a new connection").hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Send.class)
    void soIsOneWhoseConnectionWasReset(Send send) throws Exception {
        server = new LoopbackServer(n -> n == 1 ? Reply.ANSWER : Reply.RESET);
        send.call(http, post("one"), () -> true);
        assertThat(send.call(http, post("two"), () -> true).body()).isEqualTo("answer to two");
        assertThat(server.requests).containsExactly("one", "two", "two");
    }

    /** A large request the server stops reading: the client's write fails, and still nothing was answered. */
    @ParameterizedTest
    @EnumSource(Send.class)
    void soIsOneWhoseBodyTheServerStoppedReading(Send send) throws Exception {
        server = new LoopbackServer(n -> n == 1 ? Reply.ANSWER : Reply.CLOSE_UNREAD);
        send.call(http, post("one"), () -> true);
        String large = "x".repeat(4 << 20);
        assertThat(send.call(http, post(large), () -> true).body()).isEqualTo("answer to " + large);
        assertThat(server.requests.stream().map(String::length).toList()).containsExactly(3, large.length(), large.length());
    }

    @ParameterizedTest
    @EnumSource(Send.class)
    void aServerThatClosesEveryConnectionUnansweredIsTriedABoundedNumberOfTimes(Send send) throws Exception {
        server = new LoopbackServer(n -> Reply.CLOSE);
        assertThatThrownBy(() -> send.call(http, post("one"), () -> true)).isInstanceOf(IOException.class)
                .hasMessageContaining(StaleConnectionRetry.NO_BYTES);
        assertThat(server.requests).hasSize(1 + StaleConnectionRetry.RETRIES);
    }

    /** The server began answering, so it acted on the request: never sent again. */
    @ParameterizedTest
    @EnumSource(Send.class)
    void aStatusLineCutShortIsNotSentAgain(Send send) throws Exception {
        server = new LoopbackServer(n -> Reply.PARTIAL_STATUS);
        assertThatThrownBy(() -> send.call(http, post("one"), () -> true)).isInstanceOf(IOException.class)
                .hasMessageNotContaining(StaleConnectionRetry.NO_BYTES);
        assertThat(server.requests).containsExactly("one");
    }

    @ParameterizedTest
    @EnumSource(Send.class)
    void headersCutShortAreNotSentAgain(Send send) throws Exception {
        server = new LoopbackServer(n -> n == 1 ? Reply.ANSWER : Reply.PARTIAL_HEADERS);
        send.call(http, post("one"), () -> true);
        assertThatThrownBy(() -> send.call(http, post("two"), () -> true)).isInstanceOf(IOException.class)
                .hasMessageNotContaining(StaleConnectionRetry.NO_BYTES);
        assertThat(server.requests).containsExactly("one", "two");
    }

    /** A job that was cancelled or ended meanwhile, or whose server died, sends nothing again. */
    @ParameterizedTest
    @EnumSource(Send.class)
    void aRequestNoLongerWantedIsNotSentAgain(Send send) throws Exception {
        server = new LoopbackServer(n -> n == 1 ? Reply.ANSWER : Reply.CLOSE);
        send.call(http, post("one"), () -> true);
        AtomicInteger asked = new AtomicInteger();
        assertThatThrownBy(() -> send.call(http, post("two"), () -> asked.incrementAndGet() < 0))
                .isInstanceOf(IOException.class).hasMessageContaining(StaleConnectionRetry.NO_BYTES);
        assertThat(asked).as("asked once, after the failure").hasValue(1);
        assertThat(server.requests).containsExactly("one", "two");
    }

    /** Cancelling the attempt on the wire (what a job's cancel does) ends the exchange: no new attempt starts. */
    @Test
    void aCancelledAttemptIsNotSentAgain() throws Exception {
        server = new LoopbackServer(n -> Reply.HOLD);
        List<CompletableFuture<?>> attempts = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<String>> x = StaleConnectionRetry.sendAsync(http, post("one"),
                HttpResponse.BodyHandlers.ofString(), () -> true, attempts::add);
        assertThat(server.held.await(20, TimeUnit.SECONDS)).as("the server holds the request").isTrue();
        assertThat(attempts).hasSize(1);
        attempts.getFirst().cancel(true);
        // a retry would have started inside cancel(): the future would still be open, waiting for it
        assertThat(x).isCompletedExceptionally();
        assertThatThrownBy(x::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(CancellationException.class);
        assertThat(attempts).hasSize(1);
        assertThat(server.requests).containsExactly("one");
    }

    /** Enough HTTP/1.1 for the JDK client: requests with a Content-Length body, answers with one, keep-alive. */
    static final class LoopbackServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final IntFunction<Reply> replies;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final CountDownLatch held = new CountDownLatch(1);
        final Set<Socket> open = ConcurrentHashMap.newKeySet();

        LoopbackServer(IntFunction<Reply> replies) throws IOException {
            this.replies = replies;
            Thread.ofVirtual().name("loopback-accept").start(this::accept);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            while (true) {
                try {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    open.add(s);
                    Thread.ofVirtual().name("loopback-connection").start(() -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setSoTimeout(20_000);
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                for (int n = 1; ; n++) {
                    int length = readHead(in);
                    if (length < 0) return; // the client closed the connection
                    Reply reply = replies.apply(n);
                    if (reply == Reply.CLOSE_UNREAD) {
                        // what was not read makes the close a reset; record what the client sent, from its length
                        requests.add("x".repeat(length));
                        return;
                    }
                    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                    requests.add(body);
                    switch (reply) {
                        case ANSWER -> {
                            byte[] answer = ("answer to " + body).getBytes(StandardCharsets.UTF_8);
                            out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + answer.length
                                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                            out.write(answer);
                            out.flush();
                        }
                        case CLOSE -> {
                            return;
                        }
                        case RESET -> {
                            s.setSoLinger(true, 0);
                            return;
                        }
                        case PARTIAL_STATUS -> {
                            out.write("HTTP/1.1 20".getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                            return;
                        }
                        case PARTIAL_HEADERS -> {
                            out.write("HTTP/1.1 200 OK\r\ncontent-ty".getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                            return;
                        }
                        case HOLD -> {
                            held.countDown();
                            in.read(); // until the client goes away
                            return;
                        }
                        default -> throw new IllegalStateException(reply.name());
                    }
                }
            } catch (IOException gone) {
                // the client went away
            } finally {
                open.remove(s);
            }
        }

        /** Reads a request's line and headers; its Content-Length, or -1 at the end of the connection. */
        private static int readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') break;
            }
            if (b < 0) return -1;
            for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) return Integer.parseInt(line.substring(15).strip());
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) s.close();
        }
    }
}
