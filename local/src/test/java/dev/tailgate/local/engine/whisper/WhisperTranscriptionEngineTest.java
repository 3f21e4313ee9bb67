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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** whisper.cpp (libwhisper through FFM) in this process on a synthetic ggml Whisper model the test writes. */
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
        RecordingListener l = run(new EngineRequest.Transcribe(audio(3), null, "hello", 0, false, false));
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

    /** 65 s: three of whisper's 30 s windows, each with its own segments and words. */
    @Test
    void wordTimestampsAreOrderedWithinTheAudioAndJoinToTheText() throws Exception {
        RecordingListener l = run(new EngineRequest.Transcribe(audio(65), null, null, 0, false, true));
        assertThat(l.outcome.get().ok()).as(String.valueOf(l.outcome.get().failure())).isTrue();
        Transcript t = l.transcript;
        assertThat(t.segments()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(t.words()).hasSizeGreaterThanOrEqualTo(t.segments().size());
        double previousEnd = 0;
        for (Transcript.Word w : t.words()) {
            assertThat(w.word()).as("no surrounding spaces, no special or [_TT_] tokens").matches("\\S+").doesNotContain("[_");
            assertThat(w.start()).as(w.toString()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(w.end()).as(w.toString()).isGreaterThanOrEqualTo(w.start()).isLessThanOrEqualTo(t.durationSeconds());
            previousEnd = w.end();
        }
        assertThat(t.words()).extracting(Transcript.Word::word).containsExactly(t.text().split("\\s+"));
        assertThat(t.words().getLast().start()).as("the last window's words are timed from the start of the audio")
                .isGreaterThanOrEqualTo(60.0);
    }

    @Test
    void wordTimingsChangeNothingElseAndAreOnlyMadeWhenAsked() throws Exception {
        Transcript with = run(new EngineRequest.Transcribe(audio(3), null, null, 0, false, true)).transcript;
        Transcript without = run(new EngineRequest.Transcribe(audio(3), null, null, 0, false, false)).transcript;
        assertThat(without.words()).isEmpty();
        assertThat(with.segments()).isEqualTo(without.segments());
    }

    @Test
    void aLanguageWhisperDoesNotKnowIsABadRequest() throws Exception {
        EngineFailure f = run(new EngineRequest.Transcribe(audio(1), "qq", null, 0, false, false)).outcome.get().failure();
        assertThat(f.kind()).isEqualTo(EngineFailure.Kind.BAD_REQUEST);
        assertThat(f.message()).contains("'qq'");
    }

    @Test
    void undecodableAudioIsABadRequestNamingTheReason() throws Exception {
        RecordingListener l = run(new EngineRequest.Transcribe("not audio at all".repeat(40).getBytes(), null, null, 0, false, false));
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

    /** whisper.cpp would take a file with no tensors as an "empty model for testing" and transcribe nothing. */
    @Test
    void aModelWithoutTensorsIsRefusedAtLoad(@TempDir Path dir) throws Exception {
        Path empty = SyntheticWhisperModel.tiny().withoutTensors().write(dir.resolve("ggml-empty.bin"));
        assertThatThrownBy(() -> WhisperTranscriptionEngine.load(spec(empty)))
                .isInstanceOf(EngineException.class).hasMessageContaining("holds no tensors");
    }

    /** whisper.cpp's decoder looks " " up unchecked (suppress_blank): without it the process would abort. */
    @Test
    void aVocabularyWithoutTheBlankTokenIsRefusedAtLoad(@TempDir Path dir) throws Exception {
        Path model = SyntheticWhisperModel.tiny().withoutBlankToken().write(dir.resolve("ggml-noblank.bin"));
        assertThatThrownBy(() -> WhisperTranscriptionEngine.load(spec(model)))
                .isInstanceOf(EngineException.class).hasMessageContaining("no \" \" token");
    }

    /**
     * The struct layouts are whisper.h v1.7.1's: the bundled library's defaults read back as v1.7.1's at our offsets
     * (else load would have failed), and the check notices a single shifted field.
     */
    @Test
    void theParameterLayoutCheckReadsTheLibrarysDefaultsAndNoticesAShift() throws Exception {
        WhisperLibrary whisper = WhisperLibrary.get();
        assertThat(WhisperLibrary.FULL_PARAMS.byteSize()).isEqualTo(264);
        assertThat(WhisperLibrary.CONTEXT_PARAMS.byteSize()).isEqualTo(48);
        assertThat(WhisperLibrary.TOKEN_DATA.byteSize()).isEqualTo(56);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment defaults = whisper.defaultParams(arena);
            assertThat(WhisperLibrary.layoutMismatch(defaults)).isNull();
            MemorySegment shifted = arena.allocate(WhisperLibrary.FULL_PARAMS);
            MemorySegment.copy(defaults, 0, shifted, 4, WhisperLibrary.FULL_PARAMS.byteSize() - 4);
            assertThat(WhisperLibrary.layoutMismatch(shifted)).isNotNull();
            MemorySegment one = arena.allocate(WhisperLibrary.FULL_PARAMS).copyFrom(defaults);
            one.set(ValueLayout.JAVA_FLOAT, WhisperLibrary.offset("entropy_thold"), 2.5f);
            assertThat(WhisperLibrary.layoutMismatch(one)).startsWith("entropy_thold reads 2.5");
        }
    }
}
