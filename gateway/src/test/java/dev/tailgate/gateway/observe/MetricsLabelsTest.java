package dev.tailgate.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.it.Harness;
import dev.tailgate.testing.prometheus.PrometheusText;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 point 3: a client that sends many model names it made up must not grow {@code /metrics}. Every endpoint
 * that reads a model name gets a batch of fresh unknown names (with a valid key and without one); afterwards no
 * series carries any of them, every {@code model} label is a configured alias or {@code unknown}/{@code none}, and a
 * second batch of fresh names adds no series at all.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsLabelsTest {
    private static final int NAMES_PER_ENDPOINT = 60;
    private static final String PREFIX = "zz-made-up-";

    @Test
    void clientSuppliedModelNamesNeverBecomeLabels() throws Exception {
        try (Harness h = Harness.start()) {
            h.get("/metrics"); // a scrape counts itself once it has ended: let that series exist before comparing
            send(h, "a");
            String first = h.get("/metrics").body();
            Set<String> seriesAfterFirst = series(PrometheusText.parse(first));
            send(h, "b");
            String second = h.get("/metrics").body();
            PrometheusText parsed = PrometheusText.parse(second);

            assertThat(second).as("no sent name reaches /metrics").doesNotContain(PREFIX);
            Set<String> aliases = new HashSet<>(h.gateway.gateway().config().models().keySet());
            aliases.add(Metrics.UNKNOWN);
            aliases.add(Metrics.NONE);
            for (PrometheusText.Sample s : parsed.samples()) {
                String model = s.labels().get("model");
                if (model != null) assertThat(aliases).as("model label of " + s).contains(model);
            }
            assertThat(parsed.samples()).as("unknown names are counted, as unknown")
                    .anySatisfy(s -> assertThat(s.labels()).containsEntry("model", Metrics.UNKNOWN)
                            .containsEntry("endpoint", "/v1/responses").containsEntry("status_class", "4xx"));
            // the label set is bounded: 8 x 60 more fresh names added no series (only values changed)
            assertThat(series(parsed)).isEqualTo(seriesAfterFirst);
            assertThat(second.length()).as("exposition size").isLessThan(200_000);
        }
    }

    /** One request per endpoint and fresh name; half without a key (401 before the body is read). */
    private static void send(Harness h, String batch) throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < NAMES_PER_ENDPOINT; i++) {
            String name = PREFIX + batch + i;
            String json = "{\"model\":\"" + name + "\"";
            answers.add(h.post("/v1/chat/completions", json + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
            answers.add(h.post("/v1/embeddings", json + ",\"input\":\"x\"}"));
            answers.add(h.post("/v1/audio/speech", json + ",\"input\":\"x\",\"voice\":\"alloy\"}"));
            answers.add(h.post("/v1/responses", json + ",\"input\":\"x\"}"));
            answers.add(h.post("/v1/messages", json + ",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
            answers.add(h.post("/v1/messages/count_tokens", json + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
            answers.add(h.get("/v1/models/" + URLEncoder.encode(name, StandardCharsets.UTF_8)));
            answers.add(transcription(h, name));
            answers.add(h.send(HttpRequest.newBuilder(URI.create(h.base() + "/v1/responses")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json + ",\"input\":\"x\"}")).build()));
        }
        // every one was refused as the client's fault (404 unknown model, 401 no key): none was served or crashed
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isIn(400, 401, 404));
    }

    private static HttpResponse<String> transcription(Harness h, String model) {
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\nRIFF0000\r\n--" + boundary + "--\r\n";
        return h.send(h.request("/v1/audio/transcriptions").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The series (name + labels) a scrape exposes, values left out. */
    static Set<String> series(PrometheusText scrape) {
        Set<String> out = new HashSet<>();
        for (PrometheusText.Sample s : scrape.samples()) out.add(s.name() + new TreeMap<>(s.labels()));
        return out;
    }
}
