package dev.tailgate.local.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real all-MiniLM-L6-v2 shipped in the application, through ONNX Runtime. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OnnxEmbeddingEngineTest {
    static OnnxEmbeddingEngine engine;

    @BeforeAll
    static void load() throws Exception {
        engine = OnnxEmbeddingEngine.load(new ModelSpec("all-minilm-l6-v2", ModelSpec.Capability.EMBEDDINGS, "onnx", null, 0, 1));
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    static RecordingListener embed(List<String> inputs) throws Exception {
        RecordingListener l = new RecordingListener();
        engine.submit(new EngineRequest.Embed(inputs), l);
        l.await();
        assertThat(l.terminalCalls.get()).isEqualTo(1);
        return l;
    }

    static double cos(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += a[i] * b[i];
        return dot; // unit vectors
    }

    @Test
    void similarMeaningsAreCloser() throws Exception {
        var v = embed(List.of("cat", "kitten", "car")).vectors;
        assertThat(v).hasSize(3);
        assertThat(cos(v.get(0), v.get(1))).isGreaterThan(cos(v.get(0), v.get(2)));
    }

    @Test
    void vectorsAre384DimensionalUnitVectors() throws Exception {
        RecordingListener l = embed(List.of("The quick brown fox jumps over the lazy dog."));
        float[] v = l.vectors.get(0);
        assertThat(v).hasSize(OnnxEmbeddingEngine.DIMENSIONS);
        double norm = 0;
        for (float x : v) norm += x * x;
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        var o = l.await();
        assertThat(o.ok()).isTrue();
        // [CLS] + 10 word pieces + [SEP]
        assertThat(o.usage().promptTokens()).isEqualTo(12);
        assertThat(o.usage().completionTokens()).isZero();
    }

    @Test
    void batchEqualsSingles() throws Exception {
        List<String> texts = List.of("short", "a much longer sentence with quite a few more words in it", "", "médaille d'or");
        var batch = embed(texts).vectors;
        for (int i = 0; i < texts.size(); i++) {
            float[] single = embed(List.of(texts.get(i))).vectors.get(0);
            for (int d = 0; d < single.length; d++) {
                assertThat(batch.get(i)[d]).as("text %d dim %d", i, d).isCloseTo(single[d], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void longInputIsTruncatedNotRejected() throws Exception {
        var o = embed(List.of("word ".repeat(2000))).await();
        assertThat(o.ok()).isTrue();
        assertThat(o.usage().promptTokens()).isEqualTo(OnnxEmbeddingEngine.MAX_TOKENS);
    }

    @Test
    void emptyRequestAndChatAreBadRequests() throws Exception {
        assertThat(embed(List.of()).await().failure().kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        RecordingListener l = new RecordingListener();
        engine.submit(new EngineRequest.Chat(dev.tailgate.wire.Json.object()), l);
        assertThat(l.await().failure().kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
    }
}
