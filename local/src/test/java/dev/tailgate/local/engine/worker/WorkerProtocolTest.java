package dev.tailgate.local.engine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.engine.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerProtocolTest {

    @Test
    void specSurvivesTheTrip() {
        ModelSpec chat = new ModelSpec("q", ModelSpec.Capability.CHAT, "llama.cpp", Path.of("/models/q.gguf"), 4096, 2, 3);
        ModelSpec builtIn = new ModelSpec("m", ModelSpec.Capability.EMBEDDINGS, "onnx", null, 0, 1);
        assertThat(WorkerProtocol.spec(WorkerProtocol.specJson(chat))).isEqualTo(chat);
        assertThat(WorkerProtocol.spec(WorkerProtocol.specJson(builtIn))).isEqualTo(builtIn);
    }

    @Test
    void vectorsSurviveBitForBit() {
        List<float[]> v = List.of(new float[] {1f, -0f, Float.MIN_VALUE}, new float[] {0.1f, 1e-30f, -3.5f});
        List<float[]> back = WorkerProtocol.decodeVectors(WorkerProtocol.encodeVectors(v), 3);
        assertThat(back).hasSize(2);
        assertThat(back.get(0)).containsExactly(v.get(0));
        assertThat(back.get(1)).containsExactly(v.get(1));
        assertThat(WorkerProtocol.decodeVectors(WorkerProtocol.encodeVectors(List.of()), 0)).isEmpty();
    }

    @Test
    void exitCodesReadAsSignals() {
        assertThat(WorkerModel.describeExit(137)).contains("signal 9");
        assertThat(WorkerModel.describeExit(134)).contains("SIGABRT");
        assertThat(WorkerModel.describeExit(2)).isEqualTo("worker exited with code 2");
    }
}
