package dev.tailgate.local;

import static dev.tailgate.local.LocalAcceptanceTest.config;
import static dev.tailgate.local.LocalAcceptanceTest.get;
import static dev.tailgate.local.LocalAcceptanceTest.model;
import static dev.tailgate.local.SpeechAcceptanceTest.error;
import static dev.tailgate.local.SpeechAcceptanceTest.post;
import static dev.tailgate.local.SpeechAcceptanceTest.speech;
import static dev.tailgate.local.SpeechAcceptanceTest.workers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.testing.kokoro.SyntheticPiperVoice;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: piper} behind {@link LocalServer} in its own worker process, on a synthetic Piper voice: its voices
 * at GET /v1/audio/voices, {@code voice} validated against them, and a voice whose {@code .onnx.json} is missing
 * {@code unavailable} with the file named.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PiperSpeechAcceptanceTest {
    @TempDir
    static Path tmp;
    static LocalServer server;

    @BeforeAll
    static void start() throws Exception {
        Path models = tmp.resolve("models");
        SyntheticPiperVoice.write(models, "en_US-test-x_low");
        Path other = SyntheticPiperVoice.write(tmp.resolve("other"), "en_US-bare-low");
        Files.copy(other, models.resolve("en_US-bare-low.onnx")); // the .onnx without its .onnx.json
        server = LocalServer.builder(config(models, """
                piper:
                  capability: speech
                  engine: piper
                  file: en_US-test-x_low.onnx
                bare:
                  capability: speech
                  engine: piper
                  file: en_US-bare-low.onnx
                """)).engines(workers(tmp.resolve("logs"))).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void theVoiceIsListedAndSpeaksAtTheResponseRate() throws Exception {
        JsonNode voices = Json.parse(get(server, "/v1/audio/voices?model=piper").body()).get("data");
        assertThat(voices).hasSize(1);
        assertThat(voices.get(0).get("id").asText()).isEqualTo("en_US-test-x_low");
        assertThat(voices.get(0).get("engine_voice").asText()).isEqualTo("en_US-test-x_low.onnx");
        HttpResponse<byte[]> wav = post(server, speech("piper", "Hello world. Piper speaks.")
                .put("voice", "en_US-test-x_low").put("response_format", "wav"));
        assertThat(wav.statusCode()).as(new String(wav.body(), java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(200);
        AudioDecoder.Decoded back = AudioDecoder.decode(wav.body(), 0);
        assertThat(back.sourceSampleRate()).as("22.05 kHz voice resampled to the response rate").isEqualTo(24_000);
        assertThat(back.seconds()).isGreaterThan(0.3);
        assertThat(model(server, "piper").get("process").get("pid").asLong()).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void aVoiceTheModelDoesNotHaveIsA400ListingItsVoices() throws Exception {
        HttpResponse<byte[]> r = post(server, speech("piper", "hello")); // "alloy": espeak-ng's, not this voice's
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r).get("param").asText()).isEqualTo("voice");
        assertThat(error(r).get("message").asText()).contains("'alloy'", "en_US-test-x_low");
    }

    @Test
    void aVoiceWithoutItsOnnxJsonIsUnavailableNamingIt() throws Exception {
        HttpResponse<byte[]> r = post(server, speech("bare", "hello").put("voice", "en_US-bare-low"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(error(r).get("code").asText()).isEqualTo("model_unavailable");
        assertThat(error(r).get("message").asText()).contains("en_US-bare-low.onnx.json", "tailgate models pull bare");
        assertThat(r.headers().firstValue("retry-after")).isEmpty();
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
        JsonNode m = model(server, "bare");
        assertThat(m.get("state").asText()).isEqualTo("unavailable");
        assertThat(m.get("reason").asText()).contains("en_US-bare-low.onnx.json");
        assertThat(Json.parse(get(server, "/v1/audio/voices?model=bare").body()).get("data")).isEmpty();
    }
}
