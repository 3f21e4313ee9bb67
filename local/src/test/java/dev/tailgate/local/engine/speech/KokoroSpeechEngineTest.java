package dev.tailgate.local.engine.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.local.engine.audio.SpeechEncoder;
import dev.tailgate.testing.kokoro.SyntheticKokoroModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Kokoro engine in this process: ONNX Runtime on a synthetic graph with Kokoro's interface, espeak-ng phonemes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KokoroSpeechEngineTest {
    @TempDir
    static Path tmp;
    static Path model;
    static LoadedModel engine;

    @BeforeAll
    static void load() throws Exception {
        model = SyntheticKokoroModel.write(tmp.resolve("models"), "af_heart", "bm_george");
        engine = KokoroSpeechEngine.load(spec(model));
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    static ModelSpec spec(Path file) {
        return new ModelSpec("kokoro", ModelSpec.Capability.SPEECH, "kokoro", file, 0, 1);
    }

    static RecordingListener speak(String text, String voice, String format, boolean stream) throws Exception {
        RecordingListener l = new RecordingListener();
        // the engine makes the waveform, SpeechEncoder the file: as qwen-local composes them
        engine.submit(new EngineRequest.Speech(text, voice, 1.0), new SpeechEncoder(AudioFormat.fromWire(format).orElseThrow(), stream, l));
        RecordingListener.Outcome o = l.await();
        assertThat(o.ok()).as(String.valueOf(o.failure())).isTrue();
        return l;
    }

    @Test
    void phonemesBecomeKokoroSymbolsAndIdsInChunksUnderTheLimit() throws Exception {
        assertThat(KokoroPhonemes.toKokoro("haɪ ðeə, meɪdʒə tʃɜːtʃ")).isEqualTo("hI ðeə, mAʤə ʧɜːʧ");
        KokoroPhonemes p = new KokoroPhonemes(EspeakNative.get(), SyntheticKokoroModel.vocab(), "en-us");
        List<KokoroPhonemes.Chunk> one = p.chunks("Hello world.");
        assertThat(one).hasSize(1);
        assertThat(one.getFirst().sentenceEnd()).isTrue();
        long dot = SyntheticKokoroModel.vocab().get(".");
        assertThat(one.getFirst().ids()[one.getFirst().ids().length - 1]).as("punctuation kept").isEqualTo(dot);
        String longText = "This sentence is rather long and keeps going, with many clauses and many words in it; ".repeat(30);
        List<KokoroPhonemes.Chunk> many = p.chunks(longText);
        assertThat(many.size()).isGreaterThan(1);
        for (KokoroPhonemes.Chunk c : many) assertThat(c.ids().length).isBetween(1, KokoroPhonemes.MAX_IDS);
    }

    @ParameterizedTest
    @EnumSource(AudioFormat.class)
    void everyFormatDecodesBackToTheWaveformsDuration(AudioFormat format) throws Exception {
        String text = "Hello world. This is Kokoro, speaking through ONNX Runtime.";
        double expected = AudioDecoder.decode(speak(text, "af_heart", "wav", false).audio.toByteArray(), 0).seconds();
        assertThat(expected).isPositive();
        byte[] audio = speak(text, "af_heart", format.wireName, false).audio.toByteArray();
        AudioDecoder.Decoded back = format == AudioFormat.PCM
                ? AudioDecoder.decode(audio, "s16le", 24_000, 0)
                : AudioDecoder.decode(audio, 0);
        assertThat(back.sourceSampleRate()).isEqualTo(format == AudioFormat.OPUS ? 48_000 : 24_000);
        assertThat(back.seconds()).isCloseTo(expected, within(expected * 0.10));
    }

    @Test
    void aStreamComesChunkByChunk() throws Exception {
        String text = "First sentence here. Second sentence there. Third one to finish.";
        RecordingListener streamed = speak(text, "bm_george", "pcm", true);
        assertThat(streamed.audioChunks.get()).isGreaterThan(1);
        byte[] whole = speak(text, "bm_george", "pcm", false).audio.toByteArray();
        assertThat(streamed.audio.toByteArray()).as("pcm streamed = pcm whole").isEqualTo(whole);
        assertThat(whole.length / 2.0 / 24_000).as("three sentences with pauses").isGreaterThan(1.0);
    }

    @Test
    void aModelWithoutVoicesOrNotKokorosShapeIsRefused(@TempDir Path dir) throws Exception {
        Path bare = Files.copy(model, dir.resolve("kokoro.onnx"));
        assertThatThrownBy(() -> KokoroSpeechEngine.load(spec(bare))).isInstanceOf(EngineException.class).hasMessageContaining("no Kokoro voices");
        assertThat(new dev.tailgate.local.engine.InProcessEngineFactory().unavailableReason(spec(bare)))
                .contains("no Kokoro voices", "kokoro.onnx", "models pull kokoro");
        assertThat(new dev.tailgate.local.engine.InProcessEngineFactory().unavailableReason(spec(model))).isNull();
        assertThat(SpeechVoices.of("kokoro", bare)).isEmpty();
        assertThat(SpeechVoices.of("kokoro", model)).containsOnlyKeys("af_heart", "bm_george");
    }
}
