package dev.tailgate.bench.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.RunningJob;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A model reached over the OpenAI wire (a running qwen-local, or the gateway in front of it), seen as a
 * {@link LoadedModel} so the benchmark measures it exactly like the in-process and worker modes: chat streams over SSE
 * ({@code stream_options.include_usage} for the usage), embeddings as one request.
 */
final class HttpModel implements LoadedModel {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String model;
    private final String apiKey;

    HttpModel(URI base, String model, String apiKey) {
        this.base = base;
        this.model = model;
        this.apiKey = apiKey;
    }

    @Override
    public RunningJob submit(EngineRequest request, JobListener listener) {
        CompletableFuture<?> call = switch (request) {
            case EngineRequest.Chat chat -> chat(chat.body().deepCopy(), listener);
            case EngineRequest.Embed embed -> embed(embed.inputs(), listener);
            default -> { // audio is measured by AudioBench over its own endpoints
                listener.onError(new EngineFailure(EngineFailure.Kind.BAD_REQUEST, "HttpModel runs chat and embeddings only"));
                yield CompletableFuture.completedFuture(null);
            }
        };
        return () -> call.cancel(true);
    }

    private HttpRequest post(String path, ObjectNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        if (apiKey != null) b.header("authorization", "Bearer " + apiKey);
        return b.build();
    }

    private CompletableFuture<?> chat(ObjectNode body, JobListener listener) {
        body.put("model", model).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return client.sendAsync(post("chat/completions", body), HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> {
                    if (r.statusCode() != 200) {
                        listener.onError(new EngineFailure(EngineFailure.Kind.ENGINE_ERROR, "HTTP " + r.statusCode()));
                        return;
                    }
                    String finish = null;
                    JobListener.Usage usage = null;
                    try (Stream<String> lines = r.body()) {
                        for (String line : (Iterable<String>) lines::iterator) {
                            if (!line.startsWith("data:")) continue;
                            String data = line.substring(5).trim();
                            if (data.equals("[DONE]")) break;
                            JsonNode chunk = Json.parse(data);
                            if (chunk.has("error")) {
                                listener.onError(new EngineFailure(EngineFailure.Kind.ENGINE_ERROR, chunk.path("error").path("message").asText()));
                                return;
                            }
                            JsonNode choice = chunk.path("choices").path(0);
                            String text = choice.path("delta").path("content").asText("");
                            if (!text.isEmpty()) listener.onDelta(text);
                            if (choice.hasNonNull("finish_reason")) finish = choice.get("finish_reason").asText();
                            if (chunk.hasNonNull("usage")) {
                                usage = new JobListener.Usage(chunk.get("usage").path("prompt_tokens").asInt(),
                                        chunk.get("usage").path("completion_tokens").asInt());
                            }
                        }
                    }
                    listener.onComplete(usage == null ? new JobListener.Usage(0, 0) : usage, finish);
                })
                .exceptionally(e -> {
                    listener.onError(new EngineFailure(EngineFailure.Kind.ENGINE_ERROR, String.valueOf(e)));
                    return null;
                });
    }

    private CompletableFuture<?> embed(List<String> inputs, JobListener listener) {
        ObjectNode body = Json.object().put("model", model);
        inputs.forEach(body.putArray("input")::add);
        return client.sendAsync(post("embeddings", body), HttpResponse.BodyHandlers.ofByteArray())
                .thenAccept(r -> {
                    if (r.statusCode() != 200) {
                        listener.onError(new EngineFailure(EngineFailure.Kind.ENGINE_ERROR, "HTTP " + r.statusCode()));
                        return;
                    }
                    JsonNode json = Json.parse(r.body());
                    List<float[]> vectors = new ArrayList<>();
                    for (JsonNode d : json.path("data")) {
                        JsonNode e = d.path("embedding");
                        float[] v = new float[e.size()];
                        for (int i = 0; i < v.length; i++) v[i] = (float) e.get(i).asDouble();
                        vectors.add(v);
                    }
                    listener.onEmbeddings(vectors);
                    listener.onComplete(new JobListener.Usage(json.path("usage").path("prompt_tokens").asInt(), 0), "stop");
                })
                .exceptionally(e -> {
                    listener.onError(new EngineFailure(EngineFailure.Kind.ENGINE_ERROR, String.valueOf(e)));
                    return null;
                });
    }

    @Override
    public long memoryBytes() {
        return 0; // the server's /status knows; not measured from here
    }

    @Override
    public boolean alive() {
        return true;
    }

    @Override
    public String deathReason() {
        return null;
    }

    @Override
    public void close() {
        client.close();
    }
}
