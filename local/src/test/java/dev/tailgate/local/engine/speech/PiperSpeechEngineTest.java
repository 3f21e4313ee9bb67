package dev.tailgate.local.engine.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.InProcessEngineFactory;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.local.engine.audio.SpeechEncoder;
import dev.tailgate.testing.kokoro.SyntheticPiperVoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Piper engine in this process: ONNX Runtime on a synthetic graph with a Piper voice's interface and config. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PiperSpeechEngineTest {
    static final String TEXT = "Hello world. This is Piper, speaking through ONNX Runtime.";
    @TempDir
    static Path tmp;
    static Path model;
    static PiperSpeechEngine engine;

    @BeforeAll
    static void load() throws Exception {
        model = SyntheticPiperVoice.write(tmp.resolve("models"), "en_US-test-x_low");
        engine = PiperSpeechEngine.load(spec(model));
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    static ModelSpec spec(Path file) {
        return new ModelSpec("piper", ModelSpec.Capability.SPEECH, "piper", file, 0, 1);
    }

    static RecordingListener speak(PiperSpeechEngine e, String voice, double speed, AudioFormat format) throws Exception {
        RecordingListener l = new RecordingListener();
        e.submit(new EngineRequest.Speech(TEXT, voice, speed), format == null ? l : new SpeechEncoder(format, false, l));
        RecordingListener.Outcome o = l.await();
        assertThat(o.ok()).as(String.valueOf(o.failure())).isTrue();
        return l;
    }

    /** Samples for {@link #TEXT}: the synthetic graph's fixed number per id, sentence by sentence, 200 ms between. */
    static long expectedSamples() throws Exception {
        PiperVoice voice = PiperVoice.read(model);
        long ids = 0;
        List<String> sentences = engine.sentences(TEXT);
        for (String sentence : sentences) ids += voice.ids(sentence).length;
        return ids * SyntheticPiperVoice.SAMPLES_PER_ID + (sentences.size() - 1) * (SyntheticPiperVoice.SAMPLE_RATE / 5);
    }

    @Test
    void phonemesBecomeIdsTheWayPiperMakesThem() throws Exception {
        PiperVoice voice = PiperVoice.read(model);
        Map<String, Integer> ids = SyntheticPiperVoice.phonemeIds();
        // BOS, pad, then each phoneme followed by the pad, then EOS; an unknown phoneme (☃) is skipped
        assertThat(voice.ids("hə☃,")).containsExactly(ids.get("^"), ids.get("_"), ids.get("h"), ids.get("_"),
                ids.get("ə"), ids.get("_"), ids.get(","), ids.get("_"), ids.get("$"));
        // NFD: a precomposed ç is c plus the combining cedilla, each with its own id
        assertThat(voice.ids("ç")).containsExactly(ids.get("^"), ids.get("_"), ids.get("c"), ids.get("_"),
                ids.get("\u0327"), ids.get("_"), ids.get("$"));
        assertThat(voice.sampleRate()).isEqualTo(22_050);
        assertThat(voice.espeakVoice()).isEqualTo("en-us");
        assertThat(voice.scales(2.0)).containsExactly(0.667f, 0.5f, 0.8f);
        assertThat(engine.sentences(TEXT)).hasSize(2).allSatisfy(s -> assertThat(s).endsWith("."));
        assertThat(engine.sentences(TEXT).get(1)).as("clause punctuation kept").contains(", ");
        // one sentence of many clauses is cut after the clause that passes the limit, not mid-clause
        List<String> cut = engine.sentences("and then we went on, ".repeat(40) + "and stopped.");
        assertThat(cut.size()).isGreaterThan(1);
        assertThat(cut.subList(0, cut.size() - 1)).allSatisfy(s -> {
            assertThat(s).endsWith(",");
            assertThat(s.length()).isBetween(PiperSpeechEngine.MAX_PHONEMES, PiperSpeechEngine.MAX_PHONEMES + 40);
        });
    }

    @Test
    void theWaveformIsAtTheVoicesRateWithOneRunPerSentence() throws Exception {
        RecordingListener raw = speak(engine, "en_US-test-x_low", 1.0, null);
        assertThat(raw.sampleRate).isEqualTo(SyntheticPiperVoice.SAMPLE_RATE);
        assertThat((long) raw.samples.size()).isEqualTo(expectedSamples());
        assertThat(raw.samples.stream().map(Math::abs).max(Float::compare).orElseThrow()).as("normalised to a peak of 1").isCloseTo(1f, within(1e-3f));
    }

    @ParameterizedTest
    @EnumSource(AudioFormat.class)
    void everyFormatDecodesBackToTheWaveformsDuration(AudioFormat format) throws Exception {
        double expected = expectedSamples() / (double) SyntheticPiperVoice.SAMPLE_RATE;
        byte[] audio = speak(engine, "en_US-test-x_low", 1.0, format).audio.toByteArray();
        AudioDecoder.Decoded back = format == AudioFormat.PCM
                ? AudioDecoder.decode(audio, "s16le", 24_000, 0)
                : AudioDecoder.decode(audio, 0);
        assertThat(back.sourceSampleRate()).isEqualTo(format == AudioFormat.OPUS ? 48_000 : 24_000);
        assertThat(back.seconds()).isCloseTo(expected, within(expected * 0.10));
    }

    @Test
    void aMultiSpeakerVoiceAnswersToItsSpeakersAndFeedsTheirIds(@TempDir Path dir) throws Exception {
        Path multi = SyntheticPiperVoice.write(dir, "en_US-many-x_low", "alice", "bob");
        assertThat(SpeechVoices.of("piper", multi)).containsExactly(Map.entry("alice", "speaker 0"), Map.entry("bob", "speaker 1"));
        try (PiperSpeechEngine e = PiperSpeechEngine.load(spec(multi))) {
            // the graph has a sid input: a run without it would fail
            assertThat(speak(e, "bob", 1.0, null).samples).isNotEmpty();
            RecordingListener l = new RecordingListener();
            e.submit(new EngineRequest.Speech(TEXT, "en_US-many-x_low", 1.0), l);
            assertThat(l.await().failure().kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        }
        assertThat(SpeechVoices.of("piper", model)).containsExactly(Map.entry("en_US-test-x_low", "en_US-test-x_low.onnx"));
    }

    @Test
    void aVoiceWithoutItsConfigIsUnavailableNamingTheFile(@TempDir Path dir) throws Exception {
        Path bare = Files.copy(model, dir.resolve("en_US-bare-low.onnx"));
        String reason = new InProcessEngineFactory().unavailableReason(spec(bare));
        assertThat(reason).contains("en_US-bare-low.onnx.json", "models pull piper");
        assertThat(SpeechVoices.of("piper", bare)).isEmpty();
        assertThatThrownBy(() -> PiperSpeechEngine.load(spec(bare))).isInstanceOf(EngineException.class).hasMessageContaining("en_US-bare-low.onnx.json");
        assertThat(new InProcessEngineFactory().unavailableReason(spec(model))).isNull();
    }

    @Test
    void aGraphWithoutPipersInputsIsRefused(@TempDir Path dir) throws Exception {
        Path kokoro = dev.tailgate.testing.kokoro.SyntheticKokoroModel.write(dir, "af_heart");
        Path notPiper = Files.copy(kokoro, dir.resolve("voice.onnx"));
        Files.copy(PiperVoice.configOf(model), PiperVoice.configOf(notPiper));
        assertThatThrownBy(() -> PiperSpeechEngine.load(spec(notPiper))).isInstanceOf(EngineException.class).hasMessageContaining("no input 'input'");
    }
}
