package dev.tailgate.local.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.EngineRegistry;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.tailgate.testing.NodeClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tool-call and reasoning acceptance points through HTTP, on synthetic qwen2 GGUFs carrying Qwen2.5's template:
 * {@code caller} is crafted to answer with text and a {@code <tool_call>} block until a tool result carrying
 * {@link #MARKER} is in the prompt, then with {@link #ANSWER_TEXT}, {@code twice} with two calls,
 * {@code thinker} with a {@code <think>} block and an answer, {@code tiny} has random weights (a weak model, so
 * {@code tool_choice} required/named must be enforced by the grammar). Each engine runs it through a subclass.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
abstract class ToolCallsAcceptance {
    static final String CALLER_TEXT = "I'll check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 3}}\n</tool_call>";
    static final String TWICE_TEXT = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 3}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\", \"days\": 2}}\n</tool_call>";
    /** The word in the tool result that makes {@code caller} answer {@link #ANSWER_TEXT} instead of calling again. */
    static final String MARKER = "sunny";
    static final String ANSWER_TEXT = "It is sunny in Oslo.";
    static final String THINKER_TEXT = "<think>\nThe user asks about the sky.\n</think>\n\nIt is blue.";
    static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","description":"Current weather in a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Oslo","Rome","Lima"]},
             "days":{"type":"integer","minimum":1,"maximum":9}},"required":["city","days"],"additionalProperties":false}}}""";
    static final String CLOCK = """
            {"type":"function","function":{"name":"get_time","parameters":{"type":"object",
             "properties":{"zone":{"type":"string","enum":["UTC","CET"]}},"required":["zone"],"additionalProperties":false}}}""";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static LocalServer server;

    /** Writes the models and starts qwen-local with every model on {@code engine}. */
    static void start(Path tmp, String engine, EngineRegistry engines, String extraModelKeys) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SyntheticGguf.tiny().type(GgmlType.F16).seed(3).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE).write(models.resolve("tiny.gguf"));
        SyntheticGguf.tiny().type(GgmlType.F32).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE).answering(CALLER_TEXT)
                .answeringOnceSeen(MARKER, ANSWER_TEXT).write(models.resolve("caller.gguf"));
        for (String[] m : new String[][] {{"twice", TWICE_TEXT}, {"thinker", THINKER_TEXT}}) {
            SyntheticGguf.tiny().type(GgmlType.F32).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE).answering(m[1])
                    .write(models.resolve(m[0] + ".gguf"));
        }
        StringBuilder yaml = new StringBuilder();
        for (String id : List.of("tiny", "caller", "twice", "thinker")) {
            yaml.append("""
                    %s:
                      capability: chat
                      engine: %s
                      file: %s.gguf
                      context: 2048
                      threads: 1
                    %s""".formatted(id, engine, id, extraModelKeys.indent(2)));
        }
        var config = new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 8GiB
                shutdown_grace: 2s
                models:
                %s""".formatted(models, yaml.toString().indent(2)), models);
        server = LocalServer.builder(config).engines(engines).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static ObjectNode chat(String model, String user, String... tools) {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        if (tools.length > 0) {
            ArrayNode t = body.putArray("tools");
            for (String tool : tools) t.add(Json.parse(tool));
        }
        return body;
    }

    static HttpResponse<String> post(ObjectNode body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode message(ObjectNode body) throws Exception {
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("choices").get(0);
    }

    /** A stream folded back into one choice: content, reasoning, calls rebuilt from their deltas, finish_reason. */
    record Streamed(String content, String reasoning, List<ObjectNode> calls, String finish, List<String> contentDeltas) {}

    static Streamed stream(ObjectNode body) throws Exception {
        ObjectNode b = body.deepCopy().put("stream", true);
        HttpResponse<String> r = post(b);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<ObjectNode> calls = new ArrayList<>();
        List<String> contentDeltas = new ArrayList<>();
        String finish = null;
        boolean done = false;
        for (String event : r.body().split("\n\n")) {
            if (event.isBlank()) continue;
            assertThat(event).as(r.body()).startsWith("data: ");
            String data = event.substring(6).strip();
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode chunk = Json.parse(data);
            assertThat(chunk.has("error")).as(data).isFalse();
            for (JsonNode c : chunk.get("choices")) {
                JsonNode d = c.get("delta");
                if (d.path("content").isTextual() && !d.get("content").asText().isEmpty()) {
                    content.append(d.get("content").asText());
                    contentDeltas.add(d.get("content").asText());
                }
                if (d.path("reasoning_content").isTextual()) reasoning.append(d.get("reasoning_content").asText());
                for (JsonNode tc : d.path("tool_calls")) {
                    int index = tc.get("index").asInt();
                    if (index == calls.size()) {
                        // the first delta of a call carries id, type and name
                        assertThat(tc.path("id").asText()).as(data).isNotEmpty();
                        assertThat(tc.path("function").path("name").asText()).as(data).isNotEmpty();
                        ObjectNode call = Json.object();
                        call.put("id", tc.get("id").asText());
                        call.put("name", tc.get("function").get("name").asText());
                        call.put("arguments", tc.path("function").path("arguments").asText(""));
                        calls.add(call);
                    } else {
                        assertThat(index).as(data).isEqualTo(calls.size() - 1);
                        ObjectNode call = calls.get(index);
                        call.put("arguments", call.get("arguments").asText() + tc.path("function").path("arguments").asText(""));
                    }
                }
                if (c.hasNonNull("finish_reason")) finish = c.get("finish_reason").asText();
            }
        }
        assertThat(done).as(r.body()).isTrue();
        return new Streamed(content.toString(), reasoning.toString(), calls, finish, contentDeltas);
    }

    /** Arguments are a JSON object text that satisfies WEATHER's schema. */
    static void assertWeatherArguments(String arguments) {
        JsonNode args = Json.parse(arguments);
        assertThat(args.isObject()).as(arguments).isTrue();
        assertThat(args.get("city").asText()).as(arguments).isIn("Oslo", "Rome", "Lima");
        assertThat(args.get("days").isIntegralNumber()).as(arguments).isTrue();
        assertThat(args.get("days").asInt()).as(arguments).isBetween(1, 9);
        assertThat(args.size()).as(arguments).isEqualTo(2);
    }

    // ------------------------------------------------------------------------------------------ a model that calls

    @Test
    void aToolCallBlockInTheOutputIsReturnedAsToolCallsStreamedAndNot() throws Exception {
        ObjectNode body = chat("caller", "weather in Oslo?", WEATHER).put("max_tokens", 200);
        JsonNode choice = message(body);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode msg = choice.get("message");
        assertThat(msg.get("content").asText()).isEqualTo("I'll check.");
        assertThat(msg.get("tool_calls")).hasSize(1);
        JsonNode call = msg.get("tool_calls").get(0);
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.get("id").asText()).isNotEmpty();
        assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(Json.parse(call.get("function").get("arguments").asText())).isEqualTo(Json.parse("{\"city\":\"Oslo\",\"days\":3}"));

        Streamed s = stream(body);
        assertThat(s.finish()).isEqualTo("tool_calls");
        assertThat(s.content()).isEqualTo("I'll check.");
        for (String d : s.contentDeltas()) assertThat(d).doesNotContain("<", "tool_call");
        assertThat(s.calls()).hasSize(1);
        assertThat(s.calls().get(0).get("name").asText()).isEqualTo("get_weather");
        assertThat(Json.parse(s.calls().get(0).get("arguments").asText())).isEqualTo(Json.parse("{\"city\":\"Oslo\",\"days\":3}"));
    }

    @Test
    void severalCallsInOneAnswerAndParallelToolCallsFalseKeepsTheFirst() throws Exception {
        ObjectNode body = chat("twice", "weather in Oslo and Rome?", WEATHER).put("max_tokens", 200);
        JsonNode msg = message(body).get("message");
        assertThat(msg.get("content").isNull()).as(msg.toString()).isTrue();
        assertThat(msg.get("tool_calls")).hasSize(2);
        assertThat(msg.get("tool_calls").get(1).get("function").get("arguments").asText()).contains("Rome");
        assertThat(msg.get("tool_calls").get(0).get("id").asText()).isNotEqualTo(msg.get("tool_calls").get(1).get("id").asText());
        assertThat(stream(body).calls()).hasSize(2);

        ObjectNode single = body.deepCopy().put("parallel_tool_calls", false);
        JsonNode one = message(single);
        assertThat(one.get("message").get("tool_calls")).hasSize(1);
        assertThat(one.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(stream(single).calls()).hasSize(1);
    }

    @Test
    void toolChoiceNoneNeverYieldsToolCalls() throws Exception {
        ObjectNode body = chat("caller", "weather in Oslo?", WEATHER).put("max_tokens", 200).put("tool_choice", "none");
        JsonNode choice = message(body);
        assertThat(choice.get("message").has("tool_calls")).isFalse();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        Streamed s = stream(body);
        assertThat(s.calls()).isEmpty();
        assertThat(s.finish()).isEqualTo("stop");
    }

    @Test
    void aCallCutOffByMaxTokensIsTextNotAnError() throws Exception {
        ObjectNode body = chat("caller", "weather?", WEATHER).put("max_tokens", 8);
        JsonNode choice = message(body);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(choice.get("message").has("tool_calls")).isFalse();
        assertThat(choice.get("message").get("content").asText()).startsWith("I'll check.");
        Streamed s = stream(body);
        assertThat(s.calls()).isEmpty();
        assertThat(s.finish()).isEqualTo("length");
    }

    @Test
    void theFollowUpWithTheToolResultInHistoryIsAnsweredStreamedAndNot() throws Exception {
        JsonNode first = message(chat("caller", "weather in Oslo?", WEATHER).put("max_tokens", 200)).get("message");
        ObjectNode follow = chat("caller", "weather in Oslo?", WEATHER).put("max_tokens", 200);
        ArrayNode messages = (ArrayNode) follow.get("messages");
        messages.add(first);
        messages.addObject().put("role", "tool").put("tool_call_id", first.get("tool_calls").get(0).get("id").asText())
                .put("content", "{\"sky\":\"" + MARKER + "\",\"celsius\":21}");
        // the crafted model answers once the tool result (its marker) is in the prompt: the history reached the model
        JsonNode choice = message(follow);
        assertThat(choice.get("finish_reason").asText()).as(choice.toString()).isEqualTo("stop");
        assertThat(choice.get("message").get("content").asText()).isEqualTo(ANSWER_TEXT);
        assertThat(choice.get("message").has("tool_calls")).isFalse();
        Streamed s = stream(follow);
        assertThat(s.content()).isEqualTo(ANSWER_TEXT);
        assertThat(s.calls()).isEmpty();
        assertThat(s.finish()).isEqualTo("stop");
    }

    // ------------------------------------------------------------------------------- a weak model, forced to call

    @Test
    void toolChoiceRequiredMakesEvenARandomModelCallValidlyStreamedAndNot() throws Exception {
        ObjectNode body = chat("tiny", "what time is it, or the weather?", WEATHER, CLOCK)
                .put("tool_choice", "required").put("max_tokens", 600).put("temperature", 0);
        JsonNode choice = message(body);
        assertThat(choice.get("finish_reason").asText()).as(choice.toString()).isEqualTo("tool_calls");
        JsonNode calls = choice.get("message").get("tool_calls");
        assertThat(calls).hasSize(1);
        String name = calls.get(0).get("function").get("name").asText();
        assertThat(name).isIn("get_weather", "get_time");
        String arguments = calls.get(0).get("function").get("arguments").asText();
        if (name.equals("get_weather")) assertWeatherArguments(arguments);
        else assertThat(Json.parse(arguments).get("zone").asText()).isIn("UTC", "CET");

        Streamed s = stream(body);
        assertThat(s.finish()).isEqualTo("tool_calls");
        assertThat(s.calls()).hasSize(1);
        assertThat(s.calls().get(0).get("name").asText()).isEqualTo(name);
        assertThat(Json.parse(s.calls().get(0).get("arguments").asText())).as("deltas concatenate to the same call")
                .isEqualTo(Json.parse(arguments));
    }

    @Test
    void aNamedFunctionIsTheOneCalledWithArgumentsThatMatchItsSchema() throws Exception {
        ObjectNode body = chat("tiny", "anything", WEATHER, CLOCK).put("max_tokens", 600).put("temperature", 0);
        body.putObject("tool_choice").put("type", "function").putObject("function").put("name", "get_weather");
        JsonNode choice = message(body);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = choice.get("message").get("tool_calls").get(0);
        assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
        assertWeatherArguments(call.get("function").get("arguments").asText());

        Streamed s = stream(body);
        assertThat(s.calls()).hasSize(1);
        assertThat(s.calls().get(0).get("name").asText()).isEqualTo("get_weather");
        assertThat(Json.parse(s.calls().get(0).get("arguments").asText()))
                .isEqualTo(Json.parse(call.get("function").get("arguments").asText()));
    }

    // ---------------------------------------------------------------------------------------- the official SDK

    @Test
    void theOfficialNodeSdksToolHelpersParseOurAnswers() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        ProcessBuilder pb = new ProcessBuilder("node", "tool-helpers.mjs").directory(clients.toFile()).redirectErrorStream(true);
        pb.environment().put("BASE_URL", "http://127.0.0.1:" + server.port() + "/v1");
        pb.environment().put("TINY_MODEL", "tiny");
        pb.environment().put("CALLER_MODEL", "caller");
        Process p = pb.start();
        p.getOutputStream().close();
        // read on another thread so a wedged node cannot hold the test past its bounded wait
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "unreadable output: " + e;
            }
        });
        boolean finished = p.waitFor(180, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String text = out.get(10, TimeUnit.SECONDS);
        assertThat(finished).as("node finished: %s", text).isTrue();
        assertThat(text).contains("tool-helpers: 3 passed, 0 failed");
        assertThat(p.exitValue()).as(text).isZero();
    }

    // ------------------------------------------------------------------------------------------------ reasoning

    @Test
    void thinkBlocksBecomeReasoningContentStreamedAndNot() throws Exception {
        ObjectNode body = chat("thinker", "what colour is the sky?").put("max_tokens", 200);
        JsonNode msg = message(body).get("message");
        assertThat(msg.get("content").asText()).isEqualTo("It is blue.");
        assertThat(msg.get("reasoning_content").asText().strip()).isEqualTo("The user asks about the sky.");
        Streamed s = stream(body);
        assertThat(s.content()).isEqualTo("It is blue.");
        assertThat(s.reasoning().strip()).isEqualTo("The user asks about the sky.");
    }
}
