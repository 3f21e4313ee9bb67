package dev.tailgate.local;

import dev.tailgate.testing.NodeClients;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official openai Node SDK (pinned in /clients) against qwen-local: if it parses our answers, streams and errors,
 * real clients will. Skipped when node or {@code clients/node_modules} is absent (run {@code npm ci} in clients/).
 */
@Timeout(120)
class OpenAiSdkConformanceTest {
    @TempDir
    Path tmp;


    private static final String SCRIPT = """
            import OpenAI from 'openai';
            const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0 });
            const out = {};
            const chat = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'tokens:3' }] });
            out.content = chat.choices[0].message.content;
            out.finish = chat.choices[0].finish_reason;
            out.total = chat.usage.total_tokens;
            const stream = await client.chat.completions.create({ model: 'chat', stream: true,
                stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'tokens:4' }] });
            let text = ''; let usage = null;
            for await (const chunk of stream) {
              if (chunk.choices.length) text += chunk.choices[0].delta.content ?? '';
              if (chunk.usage) usage = chunk.usage;
            }
            out.streamed = text;
            out.streamUsage = usage.completion_tokens;
            const emb = await client.embeddings.create({ model: 'embed', input: ['abc', 'de'] });  // SDK asks for base64
            out.embedding = emb.data.map(d => Array.from(d.embedding));
            try { await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }); }
            catch (e) { out.notFound = { status: e.status, code: e.code, name: e.constructor.name }; }
            try {
              const s = await client.chat.completions.create({ model: 'chat', stream: true,
                  messages: [{ role: 'user', content: 'delta-then-hang' }] });
              for await (const chunk of s) { out.gotPartial = true; }
              out.midStream = 'no error';
            } catch (e) { out.midStream = { name: e.constructor.name, message: e.message }; }
            console.log(JSON.stringify(out));
            """;

    @Test
    void theOfficialSdkReadsChatStreamsEmbeddingsAndErrors() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        String yaml = """
                models:
                  chat:
                    capability: chat
                    engine: llama.cpp
                    file: chat.gguf
                    stuck_after: 500ms
                  embed:
                    capability: embeddings
                    engine: onnx
                """;
        try (Harness h = Harness.start(tmp, yaml, new FakeEngineFactory(), "chat.gguf")) {
            Path script = clients.resolve(".conformance-" + ProcessHandle.current().pid() + ".mjs");
            Files.writeString(script, SCRIPT);
            try {
                Process p = new ProcessBuilder("node", script.toString(), "http://127.0.0.1:" + h.server.port() + "/v1")
                        .directory(clients.toFile()).redirectErrorStream(true).start();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertThat(p.exitValue()).as(output).isZero();
                JsonNode out = Json.parse(output.lines().reduce((a, b) -> b).orElseThrow());
                assertThat(out.get("content").asText()).isEqualTo("t0 t1 t2 ");
                assertThat(out.get("finish").asText()).isEqualTo("stop");
                assertThat(out.get("total").asInt()).isEqualTo(10);
                assertThat(out.get("streamed").asText()).isEqualTo("t0 t1 t2 t3 ");
                assertThat(out.get("streamUsage").asInt()).isEqualTo(4);
                assertThat(out.get("embedding").get(0).get(0).floatValue()).isEqualTo(3f);
                assertThat(out.get("embedding").get(1).get(3).floatValue()).isEqualTo(-1.25f);
                assertThat(out.get("notFound").get("status").asInt()).isEqualTo(404);
                assertThat(out.get("notFound").get("code").asText()).isEqualTo("model_not_found");
                assertThat(out.get("gotPartial").asBoolean()).isTrue();
                assertThat(out.get("midStream").isObject()).as("the SDK must see the mid-stream failure").isTrue();
                assertThat(out.get("midStream").get("message").asText()).contains("got stuck");
            } finally {
                Files.deleteIfExists(script);
            }
        }
    }
}
