package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models import} while {@code up} runs: the model it adds to local.yaml and the route it adds to gateway.yaml
 * are served once both services have reloaded their configs, without a restart (as the command and README say).
 * Before that, a missing model's 503 tells the client the pull command but not where the home is.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ImportWhileUpTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path home;
    @TempDir
    Path elsewhere;

    @Test
    void aModelImportedWhileUpRunsIsServedWithoutARestart() throws Exception {
        Path gguf = SyntheticGguf.tiny().type(GgmlType.F16).seed(3).write(elsewhere.resolve("tiny-imported.gguf"));
        RunningUp up = RunningUp.start(home, Map.of(), "--port", "0", "--local-port", "0", "--no-pull");
        try {
            String chat = "{\"model\":\"imported\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            assertThat(send(up, chat).statusCode()).isEqualTo(404); // not configured yet
            // the default chat model's file is missing (--no-pull): clients are told the pull command, never the home
            HttpResponse<String> missing = send(up, chat.replace("\"imported\"", "\"qwen\""));
            assertThat(missing.statusCode()).as(missing.body()).isEqualTo(503);
            assertThat(missing.body()).contains("tailgate models pull").doesNotContain(home.toString());

            CliRun imported = CliRun.of("models", "import", gguf.toString(), "--name", "imported", "--home", home.toString());
            assertThat(imported.code()).as(imported.toString()).isZero();
            assertThat(imported.out()).contains("a running tailgate up serves it within seconds, without a restart");

            // both configs are polled every 2 s: 404 until the gateway and qwen-local have reloaded, then served
            HttpResponse<String> r = send(up, chat);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (r.statusCode() == 404 && System.nanoTime() < deadline) {
                Thread.sleep(200); // polling the reload's outcome, bounded by the deadline
                r = send(up, chat);
            }
            assertThat(r.statusCode()).as(r.body() + "\n" + up.out).isEqualTo(200);
            JsonNode answer = Json.parse(r.body());
            assertThat(answer.path("model").asText()).isEqualTo("imported");
            assertThat(answer.path("choices").get(0).path("message").path("role").asText()).isEqualTo("assistant");
            assertThat(answer.path("usage").path("completion_tokens").asInt()).isPositive();
        } finally {
            up.stop();
        }
    }

    private static HttpResponse<String> send(RunningUp up, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(up.addresses.gatewayUrl() + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + up.clientKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
