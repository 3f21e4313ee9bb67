package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import de.kherud.llama.args.PoolingType;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.InProcessEngineFactory;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.testing.gguf.SyntheticGguf;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GGUF embeddings through llama.cpp on a synthetic qwen2 model: shape, normalisation, determinism, guards. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LlamaEmbeddingEngineTest {
    @TempDir static Path dir;
    static LoadedModel engine;

    @BeforeAll
    static void load() throws Exception {
        Path file = SyntheticGguf.tiny().seed(5).write(dir.resolve("embed.gguf"));
        engine = new InProcessEngineFactory().load(new ModelSpec("e", ModelSpec.Capability.EMBEDDINGS, "llama.cpp", file, 512, 1));
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

    @Test
    void lastTokenPoolingGivesUnitVectorsOfModelWidth() throws Exception {
        assertThat(((LlamaEmbeddingEngine) engine).pooling()).isEqualTo(PoolingType.LAST);
        RecordingListener l = embed(List.of("hello world", "something else entirely", "hello world"));
        assertThat(l.await().ok()).isTrue();
        assertThat(l.await().usage().promptTokens()).isPositive();
        List<float[]> v = l.vectors;
        assertThat(v).hasSize(3);
        for (float[] x : v) {
            assertThat(x).hasSize(64);
            double norm = 0;
            for (float f : x) norm += f * f;
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, Offset.offset(1e-3));
        }
        assertThat(v.get(0)).containsExactly(v.get(2));
        assertThat(v.get(0)).isNotEqualTo(v.get(1));
    }

    @Test
    void emptyInputIsRefusedNotPassedToLlamaCpp() throws Exception {
        var o = embed(List.of("fine", "")).await();
        assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        assertThat(o.failure().message()).contains("input[1] is empty");
        assertThat(embed(List.of("still works")).await().ok()).isTrue();
    }

    @Test
    void inputLongerThanContextIsRefused() throws Exception {
        var o = embed(List.of("z".repeat(2000))).await();
        assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        assertThat(o.failure().message()).contains("context");
    }
}
