package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.sched.ModelState;
import dev.tailgate.testing.DocTables;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/endpoints.md (qwen-local table) and docs/status.md (qwen-local section) against a running qwen-local: every
 * documented endpoint answers its documented methods (GET ones also HEAD), every other method is 405, and
 * {@code /status} carries exactly the documented fields and states.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalEndpointsDocTest {
    private static final DocTables ENDPOINTS = DocTables.read("endpoints.md").section("qwen-local");
    private static final DocTables STATUS = DocTables.read("status.md").section("qwen-local: `GET /status`");
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE");
    private static final String MODELS = """
            models:
              missing: {capability: chat, engine: llama.cpp, file: missing.gguf, source: hf://o/r/missing.gguf}
              here: {capability: chat, engine: llama.cpp, file: here.gguf}
            """;

    @TempDir
    Path tmp;

    /** path → methods the docs list, plus HEAD wherever GET is listed ("every GET endpoint also answers HEAD"). */
    private static Map<String, Set<String>> documented() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String endpoint : ENDPOINTS.rows().keySet()) {
            String[] mp = endpoint.split(" ", 2);
            Set<String> methods = out.computeIfAbsent(mp[1], k -> new TreeSet<>());
            methods.add(mp[0]);
            if (mp[0].equals("GET")) methods.add("HEAD");
        }
        return out;
    }

    @Test
    void everyDocumentedEndpointAnswersItsMethodsAndRefusesTheOthers() throws Exception {
        try (Harness h = Harness.start(tmp, MODELS, new FakeEngineFactory(), "here.gguf")) {
            for (var e : documented().entrySet()) {
                for (String method : METHODS) {
                    HttpResponse<String> r = send(h, method, e.getKey());
                    if (e.getValue().contains(method)) {
                        assertThat(r.statusCode()).as(method + " " + e.getKey()).isNotIn(404, 405);
                    } else {
                        assertThat(r.statusCode()).as(method + " " + e.getKey()).isEqualTo(405);
                    }
                }
            }
            HttpResponse<String> unknown = send(h, "GET", "/v1/not-an-endpoint");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(Json.parse(unknown.body()).path("error").path("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void theAuthColumnSaysWhichEndpointsNeedTheInternalKey() throws Exception {
        String yaml = "api_key_sha256: " + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("tg-doc-test-key".getBytes(java.nio.charset.StandardCharsets.UTF_8))) + "\n" + MODELS;
        try (Harness h = Harness.start(tmp, yaml, new FakeEngineFactory(), "here.gguf")) {
            for (var row : ENDPOINTS.rows().entrySet()) {
                String[] mp = row.getKey().split(" ", 2);
                String auth = row.getValue().cell(1);
                assertThat(auth).as(row.getKey()).isIn("none", "internal key");
                int status = send(h, mp[0], mp[1]).statusCode();
                if (auth.equals("none")) assertThat(status).as(row.getKey() + " without a key").isNotEqualTo(401);
                else assertThat(status).as(row.getKey() + " without a key").isEqualTo(401);
            }
        }
    }

    @Test
    void statusHasExactlyTheDocumentedFieldsAndStates() throws Exception {
        try (Harness h = Harness.start(tmp, MODELS, new FakeEngineFactory(), "here.gguf")) {
            assertThat(STATUS.fieldProblems(h.status())).isEmpty();
            assertThat(h.status().get("status").asText()).isEqualTo("degraded");
            assertThat(h.state("missing")).isEqualTo("unavailable");
            // and with a download under way, whose fields are documented as present "only when" downloading (fieldProblems
            // reads the first model of the list, hence "missing" first)
            h.server.downloads().track("missing", System::nanoTime).started("missing.gguf", 1000, 0);
            assertThat(STATUS.fieldProblems(h.status())).isEmpty();
            assertThat(h.state("missing")).isEqualTo("downloading");
            assertThat(h.model("missing").has("download")).isTrue();
        }
        assertThat(STATUS.rows().get("models[].state").choices(1))
                .isEqualTo(Arrays.stream(ModelState.values()).map(ModelState::wireName).collect(Collectors.toSet()));
    }

    private static HttpResponse<String> send(Harness h, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.uri(path)).timeout(Duration.ofSeconds(20));
        HttpRequest r = method.equals("POST") || method.equals("PUT")
                ? b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString("{}")).build()
                : b.method(method, HttpRequest.BodyPublishers.noBody()).build();
        return h.http.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
