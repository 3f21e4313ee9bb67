package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real llama.cpp on a tiny random-weight qwen2 GGUF generated per run. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LlamaChatEngineTest {
    @TempDir static Path dir;
    static LlamaChatEngine engine;

    @BeforeAll
    static void load() throws Exception {
        Path file = SyntheticGguf.tiny().type(GgmlType.F16).seed(3).write(dir.resolve("tiny-qwen2.gguf"));
        engine = LlamaChatEngine.load(new ModelSpec("tiny", ModelSpec.Capability.CHAT, "llama.cpp", file, 1024, 2));
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    static ObjectNode chat(String user) {
        ObjectNode body = Json.object();
        body.put("model", "tiny");
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        return body;
    }

    static RecordingListener run(ObjectNode body) throws Exception {
        RecordingListener l = new RecordingListener();
        engine.submit(new EngineRequest.Chat(body), l);
        l.await();
        assertThat(l.terminalCalls.get()).isEqualTo(1);
        return l;
    }

    @Test
    void generatesStreamedDeltasWithUsage() throws Exception {
        RecordingListener l = run(chat("Hello there").put("max_tokens", 12).put("temperature", 0));
        var o = l.await();
        assertThat(o.ok()).as("%s", o.failure()).isTrue();
        assertThat(l.deltas).isNotEmpty();
        assertThat(l.text()).isNotEmpty();
        // ChatML wrapping of one user turn: <|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n
        assertThat(o.usage().promptTokens()).isGreaterThan(10);
        assertThat(o.usage().completionTokens()).isBetween(1, 12);
    }

    @Test
    void maxTokensEndsWithLengthAndExactCount() throws Exception {
        var o = run(chat("count").put("max_tokens", 7).put("temperature", 0)).await();
        assertThat(o.finishReason()).isEqualTo("length");
        assertThat(o.usage().completionTokens()).isEqualTo(7);
    }

    @Test
    void sameSeedSameText() throws Exception {
        ObjectNode body = chat("tell me something").put("max_tokens", 24).put("temperature", 1.0).put("seed", 1234);
        String a = run(body.deepCopy()).text();
        String b = run(body.deepCopy()).text();
        assertThat(a).isNotEmpty().isEqualTo(b);
    }

    @Test
    void stopStringEndsOutputBeforeIt() throws Exception {
        ObjectNode greedy = chat("abc").put("max_tokens", 40).put("temperature", 0);
        String full = run(greedy.deepCopy()).text();
        assertThat(full.length()).as("greedy output").isGreaterThan(12);
        String stop = full.substring(8, 11);
        ObjectNode withStop = greedy.deepCopy();
        withStop.putArray("stop").add("\u0000never").add(stop);
        RecordingListener l = run(withStop);
        assertThat(l.await().finishReason()).isEqualTo("stop");
        assertThat(l.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        // a single string works too
        RecordingListener single = run(greedy.deepCopy().put("stop", stop));
        assertThat(single.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
    }

    @Test
    void jsonSchemaConstrainsOutput() throws Exception {
        ObjectNode body = chat("give me json").put("max_tokens", 200).put("temperature", 0.8).put("seed", 5);
        ObjectNode schema = body.putObject("response_format").put("type", "json_schema")
                .putObject("json_schema").put("name", "answer").putObject("schema");
        schema.put("type", "object").put("additionalProperties", false);
        schema.putObject("properties").putObject("ok").put("type", "boolean");
        schema.putArray("required").add("ok");
        RecordingListener l = run(body);
        var o = l.await();
        assertThat(o.ok()).as("%s", o.failure()).isTrue();
        JsonNode parsed = Json.parse(l.text());
        assertThat(parsed.isObject()).isTrue();
        assertThat(parsed.get("ok").isBoolean()).as(l.text()).isTrue();
        assertThat(o.finishReason()).isEqualTo("stop");
    }

    @Test
    void jsonObjectModeProducesAnObject() throws Exception {
        ObjectNode body = chat("json please").put("max_tokens", 300).put("temperature", 0.7).put("seed", 9);
        body.putObject("response_format").put("type", "json_object");
        RecordingListener l = run(body);
        var o = l.await();
        assertThat(o.ok()).as("%s", o.failure()).isTrue();
        if (o.finishReason().equals("stop")) assertThat(Json.parse(l.text()).isObject()).isTrue();
        assertThat(l.text()).startsWith("{");
    }

    @Test
    void schemasLlamaCppCannotHonourAreBadRequestsNotCrashes() throws Exception {
        for (String schema : new String[] {
                "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/nowhere\"}}}",
                "{\"type\":5}",
                "{\"type\":\"string\",\"pattern\":\"[\"}",
                "{\"properties\":{\"x\":{\"oneOf\":[]}}}"}) {
            ObjectNode body = chat("x").put("max_tokens", 5);
            body.putObject("response_format").put("type", "json_schema").putObject("json_schema").set("schema", Json.parse(schema));
            assertBadRequest(body, "");
        }
    }

    @Test
    void invalidRequestsAreBadRequests() throws Exception {
        ObjectNode noMessages = Json.object();
        noMessages.putArray("messages");
        assertBadRequest(noMessages, "messages");
        assertBadRequest(chat("x").put("temperature", 7), "temperature");
        assertBadRequest(chat("x").put("max_tokens", 0), "max_tokens");
        assertBadRequest(chat("x").put("n", 2), "'n'");
        ObjectNode badFormat = chat("x");
        badFormat.putObject("response_format").put("type", "yaml");
        assertBadRequest(badFormat, "response_format");
        // still serves afterwards
        assertThat(run(chat("ok").put("max_tokens", 3)).await().ok()).isTrue();
    }

    @Test
    void emptyContentStillHasATemplatedPrompt() throws Exception {
        var o = run(chat("").put("max_tokens", 2)).await();
        assertThat(o.ok()).isTrue();
        assertThat(o.usage().promptTokens()).isPositive();
    }

    @Test
    void promptLongerThanContextIsRefused() throws Exception {
        assertBadRequest(chat("y".repeat(3000)), "context");
    }

    @Test
    void cancelStopsARunningJob() throws Exception {
        RecordingListener l = new RecordingListener();
        var job = engine.submit(new EngineRequest.Chat(chat("go on").put("temperature", 0.9)), l);
        assertThat(l.firstDelta.await(60, TimeUnit.SECONDS)).isTrue();
        job.cancel();
        var o = l.await();
        assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.CANCELLED);
        assertThat(l.terminalCalls.get()).isEqualTo(1);
        assertThat(run(chat("after").put("max_tokens", 3)).await().ok()).isTrue();
    }

    @Test
    void parallelSlotsRunJobsConcurrentlyWithCorrectResults() throws Exception {
        Path file = dir.resolve("tiny-qwen2.gguf");
        try (LlamaChatEngine two = LlamaChatEngine.load(new ModelSpec("p", ModelSpec.Capability.CHAT, "llama.cpp", file, 512, 2, 2))) {
            RecordingListener a = new RecordingListener();
            RecordingListener b = new RecordingListener();
            RecordingListener c = new RecordingListener();
            java.util.concurrent.atomic.AtomicInteger aPiecesWhenBEnded = new java.util.concurrent.atomic.AtomicInteger(-1);
            two.submit(new EngineRequest.Chat(chat("first").put("max_tokens", 300).put("temperature", 0.9)), a);
            two.submit(new EngineRequest.Chat(chat("second").put("max_tokens", 9).put("temperature", 0)), new dev.tailgate.local.engine.JobListener() {
                @Override public void onDelta(String text) { b.onDelta(text); }
                @Override public void onComplete(Usage usage, String finishReason) {
                    aPiecesWhenBEnded.set(a.deltas.size());
                    b.onComplete(usage, finishReason);
                }
                @Override public void onError(dev.tailgate.local.engine.EngineFailure failure) { b.onError(failure); }
            });
            assertThat(b.await().usage().completionTokens()).isEqualTo(9);
            // b ended while a was still early in its 300 tokens: they ran side by side, not one after the other
            assertThat(aPiecesWhenBEnded.get()).isBetween(0, 100);
            two.submit(new EngineRequest.Chat(chat("third").put("max_tokens", 5)), c);
            assertThat(c.await().usage().completionTokens()).isEqualTo(5);
            var o = a.await();
            assertThat(o.finishReason()).isEqualTo("length");
            assertThat(o.usage().completionTokens()).isEqualTo(300);
            assertThat(b.text()).isEqualTo(run(chat("second").put("max_tokens", 9).put("temperature", 0)).text());
        }
    }

    @Test
    void qwen3IsRefusedBeforeTheNativeLoader() throws Exception {
        Path q3 = SyntheticGguf.tiny().arch(SyntheticGguf.Arch.QWEN3).write(dir.resolve("q3.gguf"));
        assertThatThrownBy(() -> LlamaChatEngine.load(new ModelSpec("q3", ModelSpec.Capability.CHAT, "llama.cpp", q3, 512, 1)))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("qwen3")
                .hasMessageContaining("qwen2");
    }

    @Test
    void notAGgufIsRefused() throws Exception {
        Path junk = java.nio.file.Files.writeString(dir.resolve("junk.gguf"), "definitely not a model");
        assertThatThrownBy(() -> LlamaChatEngine.load(new ModelSpec("j", ModelSpec.Capability.CHAT, "llama.cpp", junk, 512, 1)))
                .isInstanceOf(EngineException.class).hasMessageContaining("not a GGUF");
        assertThatThrownBy(() -> LlamaChatEngine.load(new ModelSpec("m", ModelSpec.Capability.CHAT, "llama.cpp", dir.resolve("missing.gguf"), 512, 1)))
                .isInstanceOf(EngineException.class).hasMessageContaining("not found");
    }

    @Test
    void llamaArchitectureLoadsToo() throws Exception {
        Path file = SyntheticGguf.tiny().arch(SyntheticGguf.Arch.LLAMA).write(dir.resolve("tiny-llama.gguf"));
        try (LlamaChatEngine llama = LlamaChatEngine.load(new ModelSpec("l", ModelSpec.Capability.CHAT, "llama.cpp", file, 512, 1))) {
            RecordingListener l = new RecordingListener();
            llama.submit(new EngineRequest.Chat(chat("hi").put("max_tokens", 4)), l);
            assertThat(l.await().ok()).isTrue();
        }
    }

    private static void assertBadRequest(ObjectNode body, String mentions) throws Exception {
        var o = run(body).await();
        assertThat(o.failure()).isNotNull();
        assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        assertThat(o.failure().message()).contains(mentions);
    }
}
