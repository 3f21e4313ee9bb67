package dev.tailgate.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/** A tiny HTTP server on 127.0.0.1 answering fixed bodies per path; stands in for a running tailgate service. */
final class StubServer implements AutoCloseable {
    record Answer(int status, String contentType, String body) {}

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    final Map<String, String> lastAuthorization = new ConcurrentHashMap<>();
    /** Released on close: a path answered with {@link #hang} waits on it (bounded by the test timeout). */
    private final CountDownLatch release = new CountDownLatch(1);

    StubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth != null) lastAuthorization.put(path, auth);
                Answer a = answers.get(path);
                if (a == null) a = new Answer(404, "text/plain", "not found");
                if (a.status() == -1) {
                    release.await();
                    return;
                }
                byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", a.contentType());
                ex.sendResponseHeaders(a.status(), body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    StubServer json(String path, int status, String body) {
        answers.put(path, new Answer(status, "application/json", body));
        return this;
    }

    StubServer text(String path, int status, String body) {
        answers.put(path, new Answer(status, "text/plain", body));
        return this;
    }

    StubServer hang(String path) {
        answers.put(path, new Answer(-1, "", ""));
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
