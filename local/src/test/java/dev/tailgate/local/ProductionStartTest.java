package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalServer#start(Path, String, Integer)} exactly as the launcher calls it, with the default-style config. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProductionStartTest {
    @TempDir
    Path tmp;

    @Test
    void theLauncherEntryPointServesTheBuiltInEmbeddingsAndListsTheMissingChatModel() throws Exception {
        Path config = tmp.resolve("local.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:8081
                models_dir: models
                memory_budget: 2GiB
                models:
                  qwen2.5-0.5b-instruct:
                    capability: chat
                    engine: llama.cpp
                    file: qwen2.5-0.5b-instruct-q4_k_m.gguf
                    source: hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf
                  all-minilm-l6-v2:
                    capability: embeddings
                    engine: onnx
                """);
        try (LocalServer server = LocalServer.start(config, "127.0.0.1", 0);
             HttpClient http = HttpClient.newHttpClient()) {
            assertThat(server.port()).isPositive().isNotEqualTo(8081);
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/embeddings"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"all-minilm-l6-v2\",\"input\":\"hi\",\"encoding_format\":\"base64\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode status = Json.parse(http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(status.get("status").asText()).isEqualTo("degraded");
            JsonNode qwen = status.get("models").get(0);
            assertThat(qwen.get("state").asText()).isEqualTo("unavailable");
            assertThat(qwen.get("reason").asText()).doesNotContain(tmp.toString()) // the home stays private
                    .contains("model file qwen2.5-0.5b-instruct-q4_k_m.gguf is missing")
                    .contains("tailgate models pull qwen2.5-0.5b-instruct");
            assertThat(status.get("models").get(1).get("state").asText()).isEqualTo("ready");
            assertThat(tmp.resolve("logs/all-minilm-l6-v2.log")).exists();
        }
    }

    @Test
    void aPortInUseFailsWithTheBindExceptionInTheCauseChain() throws Exception {
        Path config = tmp.resolve("local.yaml");
        Files.writeString(config, "models: {}\n");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> LocalServer.start(config, "127.0.0.1", taken.getLocalPort()))
                    .hasMessageContaining("could not listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasRootCauseInstanceOf(java.net.BindException.class);
        }
    }

    @Test
    void aBadConfigIsRefusedNamingKeyAndLine() throws Exception {
        Path config = tmp.resolve("local.yaml");
        Files.writeString(config, "listen: 127.0.0.1:0\nmodels:\n  x:\n    capability: chat\n    engine: llama.cpp\n    threads: many\n");
        assertThatThrownBy(() -> LocalServer.start(config, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 6")
                .hasMessageContaining("models.x.threads");
    }
}
