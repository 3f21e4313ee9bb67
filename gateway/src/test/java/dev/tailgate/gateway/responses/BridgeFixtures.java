package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Chat chunks and contexts for the bridge tests, written as compact JSON with single quotes. */
final class BridgeFixtures {
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

    private BridgeFixtures() {}

    static JsonNode json(String singleQuoted) {
        return Json.parse(singleQuoted.replace('\'', '"'));
    }

    static ResponseContext context(String responsesRequest) {
        JsonNode request = json(responsesRequest);
        return ResponseContext.of(request, ResponsesRequestTranslator.translate(request), IdGenerator.sequential(), CLOCK);
    }

    static ResponseContext plainContext() {
        return context("{'model':'qwen','input':'hi','stream':true}");
    }

    static ObjectNode text(String delta) {
        ObjectNode chunk = base();
        chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", delta);
        return chunk;
    }

    static ObjectNode role() {
        ObjectNode chunk = base();
        chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("role", "assistant").put("content", "");
        return chunk;
    }

    static ObjectNode empty() {
        ObjectNode chunk = base();
        chunk.putArray("choices").addObject().put("index", 0).putObject("delta");
        return chunk;
    }

    static ObjectNode reasoning(String delta) {
        ObjectNode chunk = base();
        chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("reasoning_content", delta);
        return chunk;
    }

    /** A tool-call delta; null id/name/args are left out, as upstreams do after the first chunk. */
    static ObjectNode tool(int index, String id, String name, String args) {
        ObjectNode chunk = base();
        ObjectNode call = chunk.putArray("choices").addObject().put("index", 0).putObject("delta").putArray("tool_calls").addObject();
        call.put("index", index);
        if (id != null) call.put("id", id).put("type", "function");
        ObjectNode function = call.putObject("function");
        if (name != null) function.put("name", name);
        if (args != null) function.put("arguments", args);
        return chunk;
    }

    static ObjectNode finish(String reason) {
        ObjectNode chunk = base();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", reason);
        return chunk;
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode chunk = base();
        chunk.putArray("choices");
        chunk.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        return chunk;
    }

    private static ObjectNode base() {
        ObjectNode chunk = Json.object();
        chunk.put("id", "chatcmpl-1");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", 1);
        chunk.put("model", "upstream-model");
        return chunk;
    }
}
