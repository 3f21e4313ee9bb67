package dev.tailgate.gateway.it;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real gateway on 127.0.0.1:0 in front of a real fake upstream, with a config written to a temp folder and secrets
 * injected through the env map (never the process environment).
 */
public final class Harness implements AutoCloseable {
    public static final String PROVIDER_KEY = "sk-provider-SECRET-0123456789abcdef";
    public static final String BACKUP_KEY = "sk-backup-SECRET-fedcba9876543210";
    public static final String CLIENT_KEY = "tg-client-key-for-tests-1";
    public static final String LIMITED_KEY = "tg-limited-key-2";
    public static final String PRIVATE_KEY = "tg-private-key-3";

    public final FakeOpenAiUpstream upstream;
    public final GatewayServer gateway;
    public final Path dir;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Harness(FakeOpenAiUpstream upstream, GatewayServer gateway, Path dir) {
        this.upstream = upstream;
        this.gateway = gateway;
        this.dir = dir;
    }

    public static Harness start() {
        return start("");
    }

    /** {@code extraModels} is YAML appended under {@code models:} (indented by two spaces). */
    public static Harness start(String extraModels) {
        return start(extraModels, o -> o);
    }

    public static Harness start(String extraModels, java.util.function.UnaryOperator<GatewayServer.Options> customize) {
        FakeOpenAiUpstream up = FakeOpenAiUpstream.start();
        try {
            Path dir = Files.createTempDirectory("tg-gw-test");
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, config(up.baseUrl(), deadPort(), extraModels));
            GatewayServer gw = GatewayServer.start(customize.apply(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("FAKE_PROVIDER_KEY", PROVIDER_KEY, "BACKUP_KEY", BACKUP_KEY,
                            "TG_TEST_KEY", CLIENT_KEY, "TG_PRIVATE_KEY", PRIVATE_KEY))
                    .shutdownGrace(Duration.ofSeconds(2)).activeProbes(false)));
            return new Harness(up, gw, dir);
        } catch (IOException | RuntimeException e) {
            up.close();
            throw new IllegalStateException(e);
        }
    }

    static String config(String upstreamBase, int deadPort, String extraModels) {
        return """
                listen: 127.0.0.1:0
                max_body: 64KiB
                # these tests are about relaying; breakers (PolicyWiringTest) must not trip across them
                health: {consecutive_failures: 100000, min_calls: 100000}
                providers:
                  fake:
                    base_url: %s
                    api_key: env:FAKE_PROVIDER_KEY
                    local: true
                    max_concurrency: 4
                    max_queue: 2
                    timeout: 20s
                  wide:
                    base_url: %s
                    api_key: env:FAKE_PROVIDER_KEY
                    local: true
                    max_concurrency: 64
                  stally:
                    base_url: %s
                    api_key: env:FAKE_PROVIDER_KEY
                    local: true
                    timeout: 8s
                    first_token_timeout: 2s
                    idle_timeout: 1s
                  ratey:
                    base_url: %s
                    api_key: env:FAKE_PROVIDER_KEY
                    local: true
                  backup:
                    base_url: %s
                    api_key: env:BACKUP_KEY
                    timeout: 5s
                  dead:
                    base_url: http://127.0.0.1:%d/v1
                    local: true
                models:
                  qwen:
                    targets: [fake/echo]
                  qwen-crlf:
                    targets: [fake/echo-crlf]
                  qwen-cr:
                    targets: [fake/echo-cr]
                  qwen-frag:
                    targets: [fake/echo-fragmented]
                  gated:
                    targets: [fake/gated-stream]
                  slow:
                    targets: [fake/slow-stream]
                  flaky:
                    targets: [fake/error-500, backup/echo]
                    fallback: true
                  flaky-strict:
                    targets: [fake/error-500, backup/echo]
                  dead-first:
                    targets: [dead/echo, fake/echo]
                    fallback: true
                  stall-first:
                    targets: [stally/stall-headers, backup/echo]
                    fallback: true
                  stall-headers:
                    targets: [stally/stall-headers]
                  stall-mid:
                    targets: [stally/stall-mid-stream]
                    fallback: true
                  cut:
                    targets: [fake/cut-mid-stream, backup/echo]
                    fallback: true
                  malformed:
                    targets: [fake/malformed-sse]
                  error-mid:
                    targets: [fake/error-mid-stream]
                  invalid-json:
                    targets: [fake/invalid-json]
                  no-stream:
                    targets: [fake/ignores-stream]
                  wide-echo:
                    targets: [wide/echo]
                  wide-frag:
                    targets: [wide/echo-fragmented]
                  limited:
                    targets: [ratey/error-429]   # its own provider: the 429's Retry-After opens that provider's breaker
                  bad-request:
                    targets: [fake/error-400]
                  rejected:
                    targets: [fake/error-401]
                  external-only:
                    targets: [backup/echo]
                  embed:
                    targets: [fake/text-embedding-fake]
                  tts:
                    targets: [fake/tts-fake]
                  whisper:
                    targets: [fake/whisper-fake]
                %s
                clients:
                  tester:
                    key: env:TG_TEST_KEY
                    admin: true
                  narrow:
                    key_sha256: %s
                    models: ["qwen*", "embed"]
                  private-laptop:
                    key: env:TG_PRIVATE_KEY
                    private: true
                """.formatted(upstreamBase, upstreamBase, upstreamBase, upstreamBase, upstreamBase, deadPort, extraModels.indent(2),
                java.util.HexFormat.of().formatHex(dev.tailgate.gateway.config.ConfigLoader.sha256(LIMITED_KEY)));
    }

    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + CLIENT_KEY);
    }

    public HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String chat(String model, boolean stream, String text) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"temperature\":0.5,\"x_unknown_field\":{\"keep\":[1,2.50]},\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            upstream.close();
        }
    }
}
