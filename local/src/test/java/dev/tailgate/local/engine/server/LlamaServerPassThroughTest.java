package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches a real llama-server from qwen-local's HTTP API: embeddings models started with {@code --embeddings} and
 * the right pooling, {@code reasoning_effort} handed to the model's own template (the switch Qwen3-style templates
 * read), and prompt cache reuse reported as cached tokens. The {@code effort} model's template writes a marker when {@code reasoning_effort} is "low", and the crafted
 * model answers differently once it sees that marker: its answer shows what its template got.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LlamaServerPassThroughTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final String EFFORT_TEMPLATE = "{%- for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n'}}{%- endfor %}"
            + "{%- if (reasoning_effort | default('')) == 'low' %}{{ 'effort-low' }}{%- endif %}"
            + "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}";

    @TempDir
    static Path dir;
    static LocalServer server;

    @BeforeAll
    static void start() throws Exception {
        LlamaServers.require();
        SyntheticGguf.tiny().type(GgmlType.F16).seed(5).write(dir.resolve("plain.gguf"));
        SyntheticGguf.tiny().type(GgmlType.F16).seed(5).pooling(1).write(dir.resolve("mean.gguf"));
        SyntheticGguf.tiny().type(GgmlType.F32).chatTemplate(EFFORT_TEMPLATE).answering("Thinking it through.")
                .answeringOnceSeen("effort-low", "Quick answer.").write(dir.resolve("effort.gguf"));
        server = LocalServer.builder(new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 4GiB
                shutdown_grace: 2s
                models:
                  plain:
                    capability: embeddings
                    engine: llama-server
                    file: plain.gguf
                    context: 512
                    threads: 1
                  mean:
                    capability: embeddings
                    engine: llama-server
                    file: mean.gguf
                    context: 512
                    threads: 1
                  effort:
                    capability: chat
                    engine: llama-server
                    file: effort.gguf
                    context: 4096
                    threads: 1
                """.formatted(dir), dir)).engines(LlamaServers.engines(dir.resolve("logs"))).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(120)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void embeddingsModelsRunWithEmbeddingsAndThePoolingTheirFileDeclaresOrLastToken() throws Exception {
        for (String model : new String[] {"plain", "mean"}) {
            HttpResponse<String> r = post("/v1/embeddings", "{\"model\":\"" + model + "\",\"input\":[\"cat\",\"kitten\",\"cat\"]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode data = Json.parse(r.body()).get("data");
            assertThat(data).hasSize(3);
            JsonNode cat = data.get(0).get("embedding"), kitten = data.get(1).get("embedding");
            assertThat(cat).hasSize(64); // the tiny shape's width
            for (JsonNode v : cat) assertThat(Double.isFinite(v.asDouble())).isTrue();
            assertThat(data.get(2).get("embedding")).as("the same text, the same vector").isEqualTo(cat);
            assertThat(kitten).isNotEqualTo(cat);
        }
        String plain = serverOf("plain.gguf");
        assertThat(plain).contains("--embeddings").contains("--pooling last");
        String mean = serverOf("mean.gguf");
        assertThat(mean).contains("--embeddings").doesNotContain("--pooling");
    }

    @Test
    void reasoningEffortReachesTheModelsTemplate() throws Exception {
        ObjectNode body = Json.object().put("model", "effort").put("max_tokens", 40);
        body.putArray("messages").addObject().put("role", "user").put("content", "What is 2+2?");
        assertThat(content(body)).isEqualTo("Thinking it through.");
        assertThat(content(body.deepCopy().put("reasoning_effort", "low"))).isEqualTo("Quick answer.");
        assertThat(content(body.deepCopy().put("reasoning_effort", "high"))).isEqualTo("Thinking it through.");
    }

    /**
     * llama-server keeps a slot's prompt in its cache: a second conversation with the same long system prompt evaluates
     * only what differs, and qwen-local reports the reused tokens as OpenAI's {@code prompt_tokens_details.cached_tokens}
     * — streamed and not, and on the forced-call path ({@code /completion} with {@code cache_prompt}).
     */
    @Test
    void aSharedPromptPrefixIsServedFromTheCacheAndReportedAsCachedTokens() throws Exception {
        String system = "You are a careful assistant. ".repeat(40);
        JsonNode first = usage(conversation(system, "first question"));
        // at most the template's opening could be left from another test's conversation
        assertThat(first.path("prompt_tokens_details").path("cached_tokens").asInt(0)).as(first.toString()).isLessThan(20);
        JsonNode second = usage(conversation(system, "second question"));
        assertThat(second.path("prompt_tokens_details").path("cached_tokens").asInt())
                .as(second.toString()).isGreaterThan(system.length() / 2).isLessThan(second.get("prompt_tokens").asInt());

        ObjectNode streamed = conversation(system, "third question").put("stream", true);
        streamed.putObject("stream_options").put("include_usage", true);
        HttpResponse<String> r = post("/v1/chat/completions", Json.string(streamed));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode last = null;
        for (String event : r.body().split("\\n\\n")) {
            if (event.startsWith("data: {")) {
                JsonNode chunk = Json.parse(event.substring(6));
                if (chunk.hasNonNull("usage")) last = chunk.get("usage");
            }
        }
        assertThat(last).as(r.body()).isNotNull();
        assertThat(last.path("prompt_tokens_details").path("cached_tokens").asInt()).as(last.toString()).isGreaterThan(system.length() / 2);

        ObjectNode forced = conversation(system, "fourth question");
        forced.putArray("tools").add(Json.parse("""
                {"type":"function","function":{"name":"noop","parameters":{"type":"object","properties":{},"additionalProperties":false}}}"""));
        forced.put("tool_choice", "required").put("max_tokens", 60);
        usage(forced); // fills the cache with this prompt's rendering
        JsonNode again = usage(forced);
        assertThat(again.path("prompt_tokens_details").path("cached_tokens").asInt()).as(again.toString()).isGreaterThan(system.length() / 2);
    }

    static ObjectNode conversation(String system, String user) {
        ObjectNode body = Json.object().put("model", "effort").put("max_tokens", 8);
        body.putArray("messages").add(Json.object().put("role", "system").put("content", system))
                .add(Json.object().put("role", "user").put("content", user));
        return body;
    }

    static JsonNode usage(ObjectNode body) throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", Json.string(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("usage");
    }

    static String content(ObjectNode body) throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", Json.string(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("choices").get(0).get("message").get("content").asText();
    }

    /** The command line of the llama-server process serving {@code file}. */
    static String serverOf(String file) {
        return LlamaServerSchedulingTest.serverOf(dir.resolve(file)).info().commandLine().orElseThrow();
    }
}
