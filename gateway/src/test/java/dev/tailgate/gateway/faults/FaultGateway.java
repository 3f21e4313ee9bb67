package dev.tailgate.gateway.faults;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseReader;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real gateway on 127.0.0.1:0 in front of a scripted fake upstream, with the test's own config. In the config text,
 * {@code ${UP}} is the fake upstream's base URL and {@code ${DEAD}} a loopback port nobody listens on; further
 * {@code ${NAME}} placeholders come from {@code vars}. Secrets go through the env map, never the process environment.
 */
final class FaultGateway implements AutoCloseable {
    static final String PROVIDER_KEY = "sk-fault-SECRET-0123456789abcdef";
    static final String BACKUP_KEY = "sk-faultbackup-SECRET-fedcba987654";
    static final String CLIENT_KEY = "tg-fault-client-key-1";

    final FakeOpenAiUpstream upstream;
    final GatewayServer gateway;
    final Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FaultGateway(FakeOpenAiUpstream upstream, GatewayServer gateway, Path dir) {
        this.upstream = upstream;
        this.gateway = gateway;
        this.dir = dir;
    }

    static FaultGateway start(String config, Map<String, String> vars) {
        return start(config, vars, o -> o);
    }

    static FaultGateway start(String config, Map<String, String> vars, UnaryOperator<GatewayServer.Options> customize) {
        FakeOpenAiUpstream up = FakeOpenAiUpstream.start();
        try {
            Path dir = Files.createTempDirectory("tg-faults");
            Map<String, String> all = new HashMap<>(vars);
            all.put("UP", up.baseUrl());
            all.put("DEAD", Integer.toString(deadPort()));
            all.put("DIR", dir.toString());
            String text = config;
            for (var e : all.entrySet()) text = text.replace("${" + e.getKey() + "}", e.getValue());
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, text);
            GatewayServer gw = GatewayServer.start(customize.apply(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("FAULT_KEY", PROVIDER_KEY, "BACKUP_KEY", BACKUP_KEY, "TG_KEY", CLIENT_KEY))
                    .shutdownGrace(Duration.ofSeconds(2))));
            return new FaultGateway(up, gw, dir);
        } catch (IOException | RuntimeException e) {
            up.close();
            throw new IllegalStateException(e);
        }
    }

    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port() {
        return gateway.port();
    }

    String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + CLIENT_KEY);
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String chat(String model, boolean stream, String text) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    static List<SseEvent> sse(String body) {
        List<SseEvent> out = new ArrayList<>();
        new SseReader(out::add).feed(body.getBytes(StandardCharsets.UTF_8));
        return out;
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
