package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import dev.tailgate.testing.upstream.RecordedRequest;
import dev.tailgate.wire.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayHttpTest {
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void clear() {
        h.upstream.clear();
    }

    private static JsonNode error(HttpResponse<String> r) {
        JsonNode e = Json.parse(r.body()).get("error");
        assertThat(e).isNotNull();
        assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).isTrue();
        return e;
    }

    private HttpResponse<String> postWithKey(String key, String path, String json) {
        return h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void missingOrWrongKeyIs401() {
        HttpResponse<String> none = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/models")).GET().build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(error(none).get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(postWithKey("nope", "/v1/chat/completions", Harness.chat("qwen", false, "x")).statusCode()).isEqualTo(401);
        assertThat(h.upstream.requests()).isEmpty();
    }

    @Test
    void apiKeyHeaderAndHashedKeysWork() {
        HttpResponse<String> r = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/models"))
                .header("api-key", Harness.LIMITED_KEY).GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void modelsListShowsOnlyWhatTheKeyMayUseInTheOpenAiShape() {
        HttpResponse<String> r = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/models"))
                .header("Authorization", "Bearer " + Harness.LIMITED_KEY).GET().build());
        JsonNode list = Json.parse(r.body());
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("data").findValuesAsText("id")).containsExactly("qwen", "qwen-crlf", "qwen-cr", "qwen-frag", "embed");
        JsonNode first = list.at("/data/0");
        assertThat(first.get("object").asText()).isEqualTo("model");
        assertThat(first.get("owned_by").asText()).isEqualTo("tailgate");
        assertThat(first.get("created").asLong()).isPositive();
        assertThat(Json.parse(h.get("/v1/models").body()).get("data").size()).isGreaterThan(10);
        assertThat(h.get("/v1/models/qwen").statusCode()).isEqualTo(200);
        assertThat(error(h.get("/v1/models/nope")).get("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void modelOutsideTheKeysGlobsIs403AndUnknownModelIs404() {
        HttpResponse<String> forbidden = postWithKey(Harness.LIMITED_KEY, "/v1/chat/completions", Harness.chat("slow", false, "x"));
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(error(forbidden).get("code").asText()).isEqualTo("model_not_allowed");
        HttpResponse<String> unknown = h.post("/v1/chat/completions", Harness.chat("gpt-9", false, "x"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown).get("code").asText()).isEqualTo("model_not_found");
        assertThat(h.upstream.requests()).isEmpty();
    }

    @Test
    void badRequestsGetTheRightStatus() {
        assertThat(h.post("/v1/chat/completions", "{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> wrongType = h.post("/v1/chat/completions", "{\"model\":5,\"messages\":[]}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(error(wrongType).get("param").asText()).isEqualTo("model");
        assertThat(h.post("/v1/chat/completions", "[1,2]").statusCode()).isEqualTo(400);
        HttpResponse<String> text = h.send(h.request("/v1/chat/completions").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hi")).build());
        assertThat(text.statusCode()).isEqualTo(415);
        HttpResponse<String> get = h.get("/v1/chat/completions");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(error(h.get("/v1/nothing-here")).get("code").asText()).isEqualTo("not_found");
        assertThat(h.upstream.requests()).isEmpty();
    }

    @Test
    void oversizedBodyIs413() {
        String big = Harness.chat("qwen", false, "x".repeat(70 * 1024));
        HttpResponse<String> r = h.post("/v1/chat/completions", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(error(r).get("code").asText()).isEqualTo("request_too_large");
        // chunked (no Content-Length) is counted too
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = h.send(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        // and a multipart upload
        String boundary = "bb";
        byte[] upload = ("--bb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n" + "x".repeat(70 * 1024)
                + "\r\n--bb\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--bb--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> multi = h.send(h.request("/v1/audio/transcriptions").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build());
        assertThat(multi.statusCode()).isEqualTo(413);
        HttpResponse<String> multiChunked = h.send(h.request("/v1/audio/transcriptions").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(upload))).build());
        assertThat(multiChunked.statusCode()).isEqualTo(413);
        assertThat(h.upstream.requests()).isEmpty();
    }

    @Test
    void privateRequestsNeverLeaveLocalProviders() {
        HttpResponse<String> viaKey = postWithKey(Harness.PRIVATE_KEY, "/v1/chat/completions", Harness.chat("external-only", false, "x"));
        assertThat(viaKey.statusCode()).isEqualTo(503);
        assertThat(error(viaKey).get("code").asText()).isEqualTo("no_private_route");
        // no local target at all: a config matter, so no Retry-After and SDKs are told not to retry
        assertThat(viaKey.headers().firstValue("Retry-After")).isEmpty();
        assertThat(viaKey.headers().firstValue("x-should-retry")).contains("false");
        HttpResponse<String> viaHeader = h.send(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                .header("X-Tailgate-Private", "true").POST(HttpRequest.BodyPublishers.ofString(Harness.chat("flaky", false, "x"))).build());
        // flaky = [fake (local, 500s), backup (external)]: private + fallback must not reach backup
        assertThat(viaHeader.statusCode()).isEqualTo(503);
        assertThat(error(viaHeader).get("code").asText()).isEqualTo("no_private_route");
        assertThat(error(viaHeader).get("message").asText()).contains("HTTP 500").contains("skipped (not local): backup/");
        assertThat(h.upstream.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + Harness.PROVIDER_KEY));
        assertThat(postWithKey(Harness.PRIVATE_KEY, "/v1/chat/completions", Harness.chat("qwen", false, "x")).statusCode()).isEqualTo(200);
    }

    @Test
    void embeddingsPassFloatAndBase64ThroughIntact() {
        HttpResponse<String> f = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"alpha\",\"beta\"]}");
        assertThat(f.statusCode()).isEqualTo(200);
        JsonNode fj = Json.parse(f.body());
        assertThat(fj.get("model").asText()).isEqualTo("embed");
        float[] alpha = FakeOpenAiUpstream.vector("\"alpha\"");
        for (int i = 0; i < alpha.length; i++) assertThat(fj.at("/data/0/embedding/" + i).floatValue()).isEqualTo(alpha[i]);
        assertThat(h.upstream.lastRequest().json().get("model").asText()).isEqualTo("text-embedding-fake");

        HttpResponse<String> b = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"gamma\",\"encoding_format\":\"base64\"}");
        String b64 = Json.parse(b.body()).at("/data/0/embedding").asText();
        ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] gamma = FakeOpenAiUpstream.vector("gamma");
        for (float v : gamma) assertThat(bb.getFloat()).isEqualTo(v);
    }

    @Test
    void speechBytesStreamThroughUnchanged() {
        HttpResponse<byte[]> r;
        try {
            r = h.http.send(h.request("/v1/audio/speech").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tts\",\"input\":\"hello\",\"voice\":\"alloy\",\"response_format\":\"wav\"}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("audio/wav");
        assertThat(r.body()).isEqualTo(FakeOpenAiUpstream.speechBytes());
        assertThat(h.upstream.lastRequest().json().get("model").asText()).isEqualTo("tts-fake");
    }

    @Test
    void transcriptionMultipartIsRoutedByItsModelFieldAndForwardedIntact() {
        byte[] audio = new byte[20_000];
        for (int i = 0; i < audio.length; i++) audio[i] = (byte) (i * 7);
        String boundary = "----tgboundary42";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(audio);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"response_format\"\r\n\r\njson\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = h.send(h.request("/v1/audio/transcriptions").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).get("text").asText()).contains("whisper-fake");
        RecordedRequest up = h.upstream.lastRequest();
        String sent = new String(up.body(), StandardCharsets.ISO_8859_1);
        assertThat(sent).contains("name=\"model\"\r\n\r\nwhisper-fake\r\n");
        assertThat(sent).contains(new String(audio, StandardCharsets.ISO_8859_1));
        assertThat(up.header("Content-Type")).isEqualTo("multipart/form-data; boundary=" + boundary);

        HttpResponse<String> noModel = h.send(h.request("/v1/audio/transcriptions").header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofString("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n")).build());
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(h.send(h.request("/v1/audio/transcriptions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode()).isEqualTo(415);
    }

    @Test
    void transcriptionUploadIsForwardedBeforeTheClientHasFinishedSendingIt() throws Exception {
        String boundary = "b0undary";
        byte[] part1 = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
                + "A".repeat(3000)).getBytes(StandardCharsets.US_ASCII);
        byte[] part2 = ("B".repeat(3000) + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.gateway.port())) {
            var out = s.getOutputStream();
            out.write(("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Harness.CLIENT_KEY
                    + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " + (part1.length + part2.length)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(part1);
            out.flush();
            // the upstream request starts while the client still holds back the second half of the file
            assertThat(h.upstream.awaitRequestStarts(1, java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(h.upstream.requests()).isEmpty();
            out.write(part2);
            out.flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 200");
        }
        assertThat(h.upstream.awaitRequests(1, java.time.Duration.ofSeconds(10))).isTrue();
        String sent = h.upstream.lastRequest().bodyText();
        assertThat(sent).contains("name=\"model\"\r\n\r\nwhisper-fake\r\n").contains("A".repeat(3000) + "B".repeat(3000));
        assertThat(h.upstream.lastRequest().header("Content-Length")).isEqualTo(Integer.toString(part1.length + part2.length + 5));
    }

    @Test
    void healthStatusAndMetricsNeedNoKeyButStatusDetailsNeedAnAdminKey() {
        HttpResponse<String> health = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/health")).GET().build());
        assertThat(health.statusCode()).isEqualTo(200);
        h.post("/v1/chat/completions", Harness.chat("qwen", false, "x"));
        HttpResponse<String> open = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/status")).GET().build());
        assertThat(open.statusCode()).isEqualTo(200);
        JsonNode summary = Json.parse(open.body());
        assertThat(summary.get("status").asText()).isIn("ok", "degraded");
        assertThat(summary.path("counts").path("providers").asInt()).isPositive();
        assertThat(summary.path("counts").path("models").asInt()).isPositive();
        assertThat(summary.has("providers") || summary.has("models") || summary.has("routing")).as("no names without a key").isFalse();
        assertThat(open.body()).doesNotContain("\"fake\"").doesNotContain("127.0.0.1").doesNotContain("qwen");

        JsonNode status = Json.parse(h.get("/status").body()); // the harness's key is an admin key
        assertThat(status.get("status").asText()).isIn("ok", "degraded");
        JsonNode fake = null;
        for (JsonNode p : status.get("providers")) if (p.get("name").asText().equals("fake")) fake = p;
        assertThat(fake).isNotNull();
        assertThat(fake.get("local").asBoolean()).isTrue();
        assertThat(fake.get("state").asText()).isIn("healthy", "degraded", "down");
        assertThat(fake.has("in_flight") && fake.has("queued") && fake.has("last_error")).isTrue();
        assertThat(status.get("models").findValuesAsText("id")).contains("qwen");
        String metrics = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/metrics")).GET().build()).body();
        assertThat(metrics).contains("tailgate_requests_total").contains("model=\"qwen\"").contains("tailgate_request_duration_seconds_bucket")
                .contains("tailgate_in_flight_requests");
    }
}
