package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.local.sched.Rejected;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.sched.Ticket;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** POST /v1/embeddings: a string, a list of strings or cl100k token arrays as input, {@code encoding_format} float or base64 (little-endian float32). */
final class Embeddings {
    static final int MAX_INPUTS = 2048;
    private final Scheduler scheduler;

    Embeddings(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void handle(Exchange ex, byte[] body) {
        ObjectNode req = Requests.object(body);
        String model = Requests.requiredString(req, "model");
        ex.model = model;
        List<String> inputs = inputs(req.get("input"));
        boolean base64 = encoding(req.get("encoding_format"));
        ModelConfig cfg = scheduler.model(model);
        if (cfg == null) throw new BadRequest(ApiError.modelNotFound(model));
        if (cfg.capability() != Capability.EMBEDDINGS) {
            throw BadRequest.of("Model '" + model + "' is a " + cfg.capability().wireName()
                    + " model and cannot make embeddings.", "model");
        }
        try {
            Ticket ticket = scheduler.submit(model, new EngineRequest.Embed(inputs), new Responder(ex, model, inputs.size(), base64));
            ex.cancelWhenClientLeaves(ticket);
        } catch (Rejected r) {
            ex.error(r.error());
        }
    }

    /**
     * The inputs as text. Besides strings, OpenAI's wire allows token arrays — one ({@code [1,2,3]}) or several
     * ({@code [[1,2],[3]]}); those are cl100k_base ids and are decoded to text first ({@link Cl100kTokens}).
     */
    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) throw BadRequest.of("Missing required parameter: 'input'.", "input");
        if (input.isTextual()) {
            if (input.asText().isEmpty()) throw BadRequest.of("Invalid 'input': must not be an empty string.", "input");
            return List.of(input.asText());
        }
        if (!input.isArray()) {
            throw BadRequest.of("Invalid type for 'input': expected a string, an array of strings or token arrays.", "input");
        }
        if (input.isEmpty()) throw BadRequest.of("Invalid 'input': must not be an empty array.", "input");
        if (Cl100kTokens.isTokenArray(input)) return List.of(Cl100kTokens.decode(input, "input"));
        if (input.size() > MAX_INPUTS) throw BadRequest.of("Invalid 'input': at most " + MAX_INPUTS + " items per request.", "input");
        List<String> out = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String at = "input[" + i + "]";
            if (item.isArray()) {
                out.add(Cl100kTokens.decode(item, at));
                continue;
            }
            if (!item.isTextual()) throw BadRequest.of("Invalid '" + at + "': expected a string or a token array.", "input");
            if (item.asText().isEmpty()) throw BadRequest.of("Invalid '" + at + "': must not be empty.", "input");
            out.add(item.asText());
        }
        return out;
    }

    private static boolean encoding(JsonNode format) {
        if (format == null || format.isNull()) return false;
        if (format.isTextual() && format.asText().equals("float")) return false;
        if (format.isTextual() && format.asText().equals("base64")) return true;
        throw BadRequest.of("Invalid 'encoding_format': expected 'float' or 'base64'.", "encoding_format");
    }

    static String base64(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) buf.putFloat(f);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    private static final class Responder implements JobListener {
        private final Exchange ex;
        private final String model;
        private final int expected;
        private final boolean base64;
        private volatile List<float[]> vectors;

        Responder(Exchange ex, String model, int expected, boolean base64) {
            this.ex = ex;
            this.model = model;
            this.expected = expected;
            this.base64 = base64;
        }

        @Override
        public void onEmbeddings(List<float[]> v) {
            vectors = v;
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            List<float[]> v = vectors;
            ex.onContext(() -> {
                if (v == null || v.size() != expected) {
                    ex.error(ApiError.internal("The engine returned " + (v == null ? 0 : v.size()) + " vectors for "
                            + expected + " inputs."));
                    return;
                }
                ObjectNode root = Json.object();
                root.put("object", "list");
                ArrayNode data = root.putArray("data");
                for (int i = 0; i < v.size(); i++) {
                    ObjectNode e = data.addObject();
                    e.put("object", "embedding");
                    e.put("index", i);
                    if (base64) {
                        e.put("embedding", base64(v.get(i)));
                    } else {
                        ArrayNode arr = e.putArray("embedding");
                        for (float f : v.get(i)) arr.add(f);
                    }
                }
                root.put("model", model);
                int prompt = usage == null ? 0 : usage.promptTokens();
                ObjectNode u = root.putObject("usage");
                u.put("prompt_tokens", prompt);
                u.put("total_tokens", prompt);
                ex.json(200, root);
            });
        }

        @Override
        public void onError(EngineFailure failure) {
            ex.onContext(() -> ex.error(Failures.toApiError(failure)));
        }
    }
}
