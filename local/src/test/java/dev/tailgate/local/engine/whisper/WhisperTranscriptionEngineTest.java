package dev.tailgate.local.engine.whisper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.local.engine.audio.AudioEncoder;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.testing.whisper.SyntheticWhisperModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** whisper.cpp in this process on a synthetic ggml Whisper model the test writes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WhisperTranscriptionEngineTest {
    @TempDir
    static Path tmp;
    static LoadedModel engine;

    @BeforeAll
    static void load() throws Exception {
        Path model = SyntheticWhisperModel.tiny().seed(5).write(tmp.resolve("ggml-synthetic.bin"));
        engine = WhisperTranscriptionEngine.load(spec(model));
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    static ModelSpec spec(Path file) {
        return new ModelSpec("whisper", ModelSpec.Capability.TRANSCRIPTION, "whisper.cpp", file, 0, 1);
    }

    /** 3 s of a warbling tone at 24 kHz, as FLAC: the engine must decode and resample it itself. */
    static byte[] audio(double seconds) throws Exception {
        float[] s = new float[(int) (seconds * 24_000)];
        for (int i = 0; i < s.length; i++) s[i] = (float) (0.4 * Math.sin(2 * Math.PI * (300 + 200 * Math.sin(i / 3000.0)) * i / 24_000));
        return AudioEncoder.encode(AudioFormat.FLAC, 24_000, s);
    }

    static RecordingListener run(EngineRequest.Transcribe request) throws Exception {
        RecordingListener l = new RecordingListener();
        engine.submit(request, l);
        l.await();
        return l;
    }

    @Test
    void transcribesDecodedAudioIntoOrderedSegments() throws Exception {
        RecordingListener l = run(new EngineRequest.Transcribe(audio(3), null, "hello", 0, false));
        assertThat(l.outcome.get().ok()).as(String.valueOf(l.outcome.get().failure())).isTrue();
        Transcript t = l.transcript;
        assertThat(t).isNotNull();
        assertThat(t.durationSeconds()).isBetween(2.9, 3.1);
        assertThat(t.language()).isEqualTo("en");
        assertThat(t.segments()).isNotEmpty();
        double last = 0;
        for (Transcript.Segment s : t.segments()) {
            assertThat(s.start()).isGreaterThanOrEqualTo(last);
            assertThat(s.end()).isGreaterThanOrEqualTo(s.start());
            last = s.start();
        }
        assertThat(t.text()).matches("(w\\d+\\s?)+.*|.*w\\d+.*");
    }

    @Test
    void undecodableAudioIsABadRequestNamingTheReason() throws Exception {
        RecordingListener l = run(new EngineRequest.Transcribe("not audio at all".repeat(40).getBytes(), null, null, 0, false));
        EngineFailure f = l.outcome.get().failure();
        assertThat(f.kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        assertThat(f.message()).contains("could not be decoded").contains("not audio");
    }

    @Test
    void aFileWhisperCppRefusesIsALoadErrorNotANull(@TempDir Path dir) throws Exception {
        Path junk = Files.write(dir.resolve("junk.bin"), "definitely not ggml".getBytes());
        assertThatThrownBy(() -> WhisperTranscriptionEngine.load(spec(junk)))
                .isInstanceOf(EngineException.class).hasMessageContaining("not a ggml Whisper model");
    }
}
