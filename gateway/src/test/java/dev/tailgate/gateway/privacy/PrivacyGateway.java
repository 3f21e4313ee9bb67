package dev.tailgate.gateway.privacy;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real gateway on 127.0.0.1:0 with a local fake upstream, a local provider nobody listens on, and an external fake
 * upstream that counts every request it gets: the privacy tests send requests through the real router, dispatcher
 * and relays and count what reached the external provider. {@code models} is the YAML of the {@code models:} map;
 * its targets use the providers {@code local}, {@code deadlocal} and {@code ext}.
 */
final class PrivacyGateway implements AutoCloseable {
    static final String KEY = "tg-privacy-public";
    static final String PRIVATE_KEY = "tg-privacy-private";

    final FakeOpenAiUpstream local = FakeOpenAiUpstream.start();
    final FakeOpenAiUpstream ext = FakeOpenAiUpstream.start();
    final MutableClock clock = MutableClock.at("2026-05-06T07:08:09Z");
    final GatewayServer gw;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PrivacyGateway(Path dir, String health, String models) throws IOException {
        Path cfg = dir.resolve("gateway.yaml");
        Files.writeString(cfg, """
                listen: 127.0.0.1:0
                health: %s
                providers:
                  local:
                    base_url: %s
                    local: true
                  deadlocal:
                    base_url: http://127.0.0.1:%d/v1
                    local: true
                  ext:
                    base_url: %s
                    api_key: env:EXT_KEY
                models:
                %s
                clients:
                  public:
                    key: env:TG_KEY
                  secret:
                    key: env:TG_PRIVATE
                    private: true
                """.formatted(health, local.baseUrl(), deadPort(), ext.baseUrl(), models.indent(2)));
        gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0).clock(clock)
                .env(Map.of("EXT_KEY", "sk-privacy-ext-0123456789", "TG_KEY", KEY, "TG_PRIVATE", PRIVATE_KEY))
                .activeProbes(false).shutdownGrace(Duration.ofSeconds(2)));
    }

    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int externalHits() {
        return ext.requests().size();
    }

    /** The endpoints a model request can take; each builds its request for {@code model}. */
    enum Endpoint {
        MODELS, CHAT, CHAT_STREAM, EMBEDDINGS, SPEECH, TRANSCRIPTIONS, RESPONSES, RESPONSES_STREAM;

        HttpRequest.Builder request(String base, String model) {
            HttpRequest.Builder b;
            switch (this) {
                case MODELS -> b = HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET();
                case CHAT, CHAT_STREAM -> b = json(base + "/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":"
                        + (this == CHAT_STREAM) + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                case EMBEDDINGS -> b = json(base + "/v1/embeddings", "{\"model\":\"" + model + "\",\"input\":\"hi\"}");
                case SPEECH -> b = json(base + "/v1/audio/speech", "{\"model\":\"" + model + "\",\"input\":\"hi\",\"voice\":\"alloy\"}");
                case RESPONSES, RESPONSES_STREAM -> b = json(base + "/v1/responses", "{\"model\":\"" + model
                        + "\",\"input\":\"hi\",\"stream\":" + (this == RESPONSES_STREAM) + "}");
                case TRANSCRIPTIONS -> {
                    String boundary = "privacyboundary";
                    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n"
                            + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                            + "Content-Type: audio/wav\r\n\r\nRIFF0000WAVE\r\n--" + boundary + "--\r\n";
                    b = HttpRequest.newBuilder(URI.create(base + "/v1/audio/transcriptions"))
                            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.ISO_8859_1));
                }
                default -> throw new IllegalStateException();
            }
            return b.timeout(Duration.ofSeconds(20));
        }

        private static HttpRequest.Builder json(String url, String body) {
            return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        }
    }

    /** Sends {@code endpoint} for {@code model} with one {@code X-Tailgate-Private} header per entry of {@code headers}. */
    HttpResponse<String> send(Endpoint endpoint, String model, String key, List<String> headers) {
        HttpRequest.Builder b = endpoint.request("http://127.0.0.1:" + gw.port(), model).header("Authorization", "Bearer " + key);
        for (String h : headers) b.header("X-Tailgate-Private", h);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            gw.close();
        } finally {
            local.close();
            ext.close();
        }
    }
}
