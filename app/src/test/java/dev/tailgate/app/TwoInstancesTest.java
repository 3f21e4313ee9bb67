package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two complete instances ({@code tailgate up} with real services, default configs) in two homes on one machine, both
 * asked for any free ports ({@code --port 0 --local-port 0}): each gateway reaches its own qwen-local and never the
 * other's (each qwen-local takes only its own home's internal key, and the model loaded through gateway A shows in A's
 * qwen-local only); {@code status}, {@code ps} and {@code unload} with {@code --home} find their own instance.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TwoInstancesTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path homeA;
    @TempDir
    Path homeB;

    private static HttpResponse<String> send(String url, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String state(CliRun ps, String model) {
        for (JsonNode m : Json.parse(ps.out()).get("models")) if (m.get("id").asText().equals(model)) return m.get("state").asText();
        throw new AssertionError(model + " not in " + ps.out());
    }

    @Test
    void twoHomesOnOneMachineNeverTalkToEachOther() throws Exception {
        RunningUp a = RunningUp.start(homeA, Map.of(), "--port", "0", "--local-port", "0", "--no-pull");
        RunningUp b = null;
        try {
            b = RunningUp.start(homeB, Map.of(), "--port", "0", "--local-port", "0", "--no-pull");
            // every address differs: any free ports, and the run files say which
            assertThat(a.addresses.gatewayUrl()).isNotEqualTo(b.addresses.gatewayUrl());
            assertThat(a.addresses.localUrl()).isNotEqualTo(b.addresses.localUrl())
                    .isNotEqualTo("http://127.0.0.1:8081");
            assertThat(a.localKey()).isNotEqualTo(b.localKey());

            // qwen-local without its key: 401; with the other home's key: 401; /health stays open
            String embed = "{\"model\":\"embeddings\",\"input\":\"hello\"}";
            String localEmbed = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"hello\"}";
            HttpResponse<String> noKey = send(a.addresses.localUrl() + "/v1/embeddings", null, localEmbed);
            assertThat(noKey.statusCode()).as(noKey.body()).isEqualTo(401);
            assertThat(Json.parse(noKey.body()).get("error").get("code").asText()).isEqualTo("invalid_api_key");
            assertThat(send(a.addresses.localUrl() + "/v1/models", b.localKey(), null).statusCode()).isEqualTo(401);
            assertThat(send(a.addresses.localUrl() + "/health", null, null).statusCode()).isEqualTo(200);

            // through each gateway: 200, served by its own qwen-local (the gateway sends its home's key)
            HttpResponse<String> viaA = send(a.addresses.gatewayUrl() + "/v1/embeddings", a.clientKey, embed);
            assertThat(viaA.statusCode()).as(viaA.body()).isEqualTo(200);
            assertThat(Json.parse(viaA.body()).get("data").get(0).get("embedding").size()).isEqualTo(384);
            assertThat(state(CliRun.of("ps", "--home", homeA.toString(), "--json"), "all-minilm-l6-v2")).isEqualTo("ready");
            assertThat(state(CliRun.of("ps", "--home", homeB.toString(), "--json"), "all-minilm-l6-v2")).isEqualTo("unloaded");
            // a client key of one instance means nothing to the other
            assertThat(send(b.addresses.gatewayUrl() + "/v1/embeddings", a.clientKey, embed).statusCode()).isEqualTo(401);
            HttpResponse<String> viaB = send(b.addresses.gatewayUrl() + "/v1/embeddings", b.clientKey, embed);
            assertThat(viaB.statusCode()).as(viaB.body()).isEqualTo(200);

            // status --home finds each home's own pair
            CliRun status = CliRun.of("status", "--home", homeA.toString(), "--key", a.clientKey, "--json");
            assertThat(status.code()).as(status.toString()).isZero();
            JsonNode s = Json.parse(status.out());
            assertThat(s.get("gateway").get("status").asText()).isIn("ok", "degraded");
            assertThat(s.get("local").get("models").toString()).contains("all-minilm-l6-v2");
            CliRun text = CliRun.of("status", "--home", homeA.toString(), "--key", a.clientKey);
            assertThat(text.out()).contains("gateway     " + a.addresses.gatewayUrl())
                    .contains("qwen-local  " + a.addresses.localUrl());

            // ps, then unload through the admin endpoint: A's model goes, B's stays
            CliRun ps = CliRun.of("ps", "--home", homeA.toString());
            assertThat(ps.code()).as(ps.toString()).isZero();
            assertThat(ps.out()).contains("UNLOADS IN").containsPattern("(?m)^all-minilm-l6-v2 +embeddings +ready +[0-9.]+ [KMG]?i?B ");
            CliRun unload = CliRun.of("unload", "all-minilm-l6-v2", "--home", homeA.toString());
            assertThat(unload.code()).as(unload.toString()).isZero();
            assertThat(state(CliRun.of("ps", "--home", homeA.toString(), "--json"), "all-minilm-l6-v2")).isEqualTo("unloaded");
            assertThat(state(CliRun.of("ps", "--home", homeB.toString(), "--json"), "all-minilm-l6-v2")).isEqualTo("ready");
            CliRun unknown = CliRun.of("unload", "nope", "--home", homeA.toString());
            assertThat(unknown.code()).isEqualTo(Main.FAILURE);
            assertThat(unknown.err()).contains("'nope' does not exist");
        } finally {
            if (b != null) b.stop();
            a.stop();
        }
        assertThat(homeA.resolve("run.json")).doesNotExist();
        assertThat(homeB.resolve("run.json")).doesNotExist();
    }
}
