package dev.tailgate.local.engine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.Transcript;
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
    void transcribeRequestsAndTranscriptsWithWordsSurviveTheTrip() {
        EngineRequest.Transcribe asked = new EngineRequest.Transcribe(new byte[] {1, 2, 3}, "en", null, 0.2, false, true);
        EngineRequest.Transcribe back = WorkerProtocol.transcribe(WorkerProtocol.transcribeJson(asked));
        assertThat(back.audio()).containsExactly(1, 2, 3);
        assertThat(back).usingRecursiveComparison().ignoringFields("audio").isEqualTo(asked);
        assertThat(WorkerProtocol.transcribe(WorkerProtocol.transcribeJson(new EngineRequest.Transcribe(new byte[0], null, "p", 0,
                true, false))).words()).isFalse();

        Transcript t = new Transcript(3.5, "en", List.of(new Transcript.Segment(0.0, 2.0, " Hello, world.")),
                List.of(new Transcript.Word(0.0, 0.6, "Hello,"), new Transcript.Word(0.7, 2.0, "world.")));
        assertThat(WorkerProtocol.transcript(WorkerProtocol.transcriptJson(t))).isEqualTo(t);
        Transcript noWords = new Transcript(1, "de", List.of(), List.of());
        assertThat(WorkerProtocol.transcript(WorkerProtocol.transcriptJson(noWords))).isEqualTo(noWords);
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
