package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real llama-server's progress that is not output yet, as qwen-local's jobs see it: the prompt being evaluated
 * ({@code return_progress}: {@code prompt_progress} chunks) and a tool call being streamed are {@code onProgress},
 * before the first token or the whole call — never content. The crafted model answers {@link #GREETING}, and the call
 * {@link #CALL} once the prompt holds {@link #MARKER}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LlamaServerProgressTest {
    static final String GREETING = "Hello there.";
    static final String MARKER = "patchplease";
    static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
             "properties":{"city":{"type":"string","enum":["Oslo","Rome","Lima"]}},"required":["city"],"additionalProperties":false}}}""";
    static final String APPLY_PATCH = """
            {"type":"function","function":{"name":"apply_patch","parameters":{"type":"object",
             "properties":{"input":{"type":"string"}},"required":["input"]}}}""";
    static final String PATCH_ARGUMENTS = "{\"input\": " + Json.string(patch()) + "}";
    static final String CALL = "<tool_call>\n{\"name\": \"apply_patch\", \"arguments\": " + PATCH_ARGUMENTS + "}\n</tool_call>";

    @TempDir
    static Path dir;
    static LoadedModel model;

    @BeforeAll
    static void start() throws Exception {
        Path bin = LlamaServers.require();
        Path file = SyntheticGguf.tiny().type(GgmlType.F32).contextLength(16384).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE)
                .answering(GREETING).answeringOnceSeen(MARKER, CALL).write(dir.resolve("crafted.gguf"));
        model = new LlamaServerFactory(() -> Optional.of(bin), dir.resolve("logs"), Duration.ofSeconds(120))
                .load(new ModelSpec("crafted", ModelSpec.Capability.CHAT, "llama-server", file, 8192, 1));
    }

    @AfterAll
    static void stop() {
        if (model != null) model.close();
    }

    /** Distinct random words: a prompt of about {@code chars} tokens for the byte-level vocabulary, never cached before. */
    static String longText(long seed, int chars) {
        Random random = new Random(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < chars) {
            for (int c = 3 + random.nextInt(5); c > 0; c--) s.append((char) ('a' + random.nextInt(26)));
            s.append(' ');
        }
        return s.toString();
    }

    /** An agent's whole-file patch: some 700 characters, a few hundred tokens of call. */
    static String patch() {
        StringBuilder p = new StringBuilder("*** Begin Patch\n*** Add File: notes.txt\n");
        for (int line = 0; line < 20; line++) p.append('+').append(longText(100 + line, 30).strip()).append('\n');
        return p.append("*** End Patch").toString();
    }

    static RecordingListener chat(ObjectNode body) throws Exception {
        RecordingListener l = new RecordingListener();
        model.submit(new EngineRequest.Chat(body), l);
        var o = l.await();
        assertThat(o.ok()).as("%s", o.failure()).isTrue();
        return l;
    }

    static ObjectNode body(String user, int maxTokens) {
        ObjectNode body = Json.object().put("max_tokens", maxTokens);
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        return body;
    }

    /** About 5,000 prompt tokens: llama-server evaluates them in batches of 512 (we start it so), a chunk after each. */
    @Test
    void aLongPromptIsProgressBeforeTheFirstTokenAndNeverContent() throws Exception {
        RecordingListener l = chat(body(longText(1, 5000), 16));
        assertThat(l.text()).isEqualTo(GREETING);
        int promptTokens = l.await().usage().promptTokens();
        assertThat(promptTokens).isGreaterThan(4000);
        assertThat(l.progressBeforeFirstDelta).isGreaterThanOrEqualTo(promptTokens / 512);
        assertThat(l.deltas).noneMatch(d -> d.contains("prompt_progress") || d.contains("processed"));
    }

    /** tool_choice required goes to /completion: it takes return_progress too, and the forced call comes out whole. */
    @Test
    void aForcedCallOnTheCompletionEndpointTakesReturnProgress() throws Exception {
        ObjectNode forced = body(longText(2, 3000), 200).put("tool_choice", "required");
        forced.putArray("tools").add(Json.parse(WEATHER));
        RecordingListener l = chat(forced);
        assertThat(l.toolCalls).hasSize(1);
        assertThat(l.toolCalls.getFirst().name()).isEqualTo("get_weather");
        assertThat(l.progressBeforeFirstCall).isPositive();
        assertThat(l.deltas).isEmpty();
    }

    /** llama-server parses the call and streams it as tool_calls deltas: each is progress, the call is handed on whole. */
    @Test
    void aLongToolCallStreamedByTheServerIsProgressBeforeTheCall() throws Exception {
        ObjectNode body = body("Write the notes file, " + MARKER, 2000);
        body.putArray("tools").add(Json.parse(APPLY_PATCH));
        RecordingListener l = chat(body);
        assertThat(l.toolCalls).hasSize(1);
        assertThat(Json.parse(l.toolCalls.getFirst().arguments())).isEqualTo(Json.parse(PATCH_ARGUMENTS));
        assertThat(l.deltas).isEmpty();
        assertThat(l.progressBeforeFirstCall).isGreaterThan(10);
    }
}
