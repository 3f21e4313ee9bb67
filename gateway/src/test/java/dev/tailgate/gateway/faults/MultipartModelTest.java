package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.testing.upstream.RecordedRequest;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 point 4: the client of a key limited to {@code pub} cannot choose the upstream model of a transcription.
 * A second {@code model} part, a {@code MODEL} part, or {@code name="model"} in some other part header is not a way
 * to smuggle one: duplicates are 400 (also after the streamed file), the one model part is rewritten.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultipartModelTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            ledger: off
            audit_log: off
            providers:
              fake:
                base_url: ${UP}
                api_key: env:FAULT_KEY
            models:
              pub: {targets: [fake/whisper-cheap]}
              expensive: {targets: [fake/gpt-4-expensive]}
            clients:
              tester: {key: env:TG_KEY, models: [pub]}
            """;
    static FaultGateway g;

    @BeforeAll
    static void start() {
        g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false));
    }

    @AfterAll
    static void stop() {
        if (g != null) g.close();
    }

    @BeforeEach
    void clear() {
        g.upstream.clear();
    }

    static String field(String name, String value) {
        return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    static String file(int size) {
        return "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
                + "R".repeat(size) + "\r\n";
    }

    static HttpResponse<String> upload(String body) {
        return g.send(g.request("/v1/audio/transcriptions").header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.ISO_8859_1))).build());
    }

    static void assertRefusedNamingModel(HttpResponse<String> r, String why) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.parse(r.body()).path("error").path("param").asText()).isEqualTo("model");
        assertThat(Json.parse(r.body()).path("error").path("message").asText()).contains(why);
        assertThat(g.upstream.requests()).as("nothing reached the provider").isEmpty();
    }

    @Test
    void aSecondModelPartIs400AndNothingReachesTheProvider() {
        assertRefusedNamingModel(upload(field("model", "pub") + field("model", "expensive") + file(100) + "--XyZ--\r\n"),
                "more than one 'model'");
    }

    @Test
    void aSecondModelPartAfterAStreamedFileIs400AndTheProviderNeverGetsACompleteBody() {
        // the first model part routes and the upload starts streaming; the duplicate arrives megabytes later
        assertRefusedNamingModel(upload(field("model", "pub") + file(3 << 20) + field("model", "expensive") + "--XyZ--\r\n"),
                "more than one 'model'");
    }

    @Test
    void aModelPartInAnotherCaseIs400() {
        assertRefusedNamingModel(upload(field("MODEL", "pub") + field("model", "expensive") + file(10) + "--XyZ--\r\n"), "ambiguous");
        assertRefusedNamingModel(upload(field("model", "pub") + field("Model", "expensive") + file(10) + "--XyZ--\r\n"), "ambiguous");
    }

    @Test
    void nameModelInsideAnotherHeaderIsNotTheModelAndTheOneModelPartIsRewritten() {
        String hint = "--XyZ\r\nContent-Disposition: form-data; name=\"hint\"\r\nX-Hint: name=\"model\"\r\n\r\nexpensive\r\n";
        HttpResponse<String> r = upload(hint + field("model", "pub") + file(10) + "--XyZ--\r\n");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        RecordedRequest up = g.upstream.lastRequest();
        String sent = new String(up.body(), StandardCharsets.ISO_8859_1);
        assertThat(Pattern.compile("Content-Disposition: form-data; name=\"model\"").matcher(sent).results().count()).isEqualTo(1);
        assertThat(sent).contains("name=\"model\"\r\n\r\nwhisper-cheap\r\n").doesNotContain("gpt-4-expensive")
                .contains("X-Hint: name=\"model\"\r\n\r\nexpensive\r\n");
    }

    @Test
    void aModelTheKeyMayNotUseIsStill403() {
        HttpResponse<String> r = upload(field("model", "expensive") + file(10) + "--XyZ--\r\n");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(g.upstream.requests()).isEmpty();
    }
}
