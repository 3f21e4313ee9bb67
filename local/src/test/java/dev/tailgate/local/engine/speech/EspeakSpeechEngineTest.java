package dev.tailgate.local.engine.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.local.engine.audio.SpeechEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The espeak-ng engine in this process: real espeak-ng through FFM, real FFmpeg encoders. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EspeakSpeechEngineTest {
    static LoadedModel engine;
    static byte[] helloWav;

    @BeforeAll
    static void load() throws Exception {
        engine = EspeakSpeechEngine.load(new ModelSpec("espeak", ModelSpec.Capability.SPEECH, "espeak-ng", null, 0, 1));
        helloWav = speak("hello world", "alloy", 1.0, "wav", false).audio.toByteArray();
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    static RecordingListener speak(String text, String voice, double speed, String format, boolean stream) throws Exception {
        RecordingListener l = new RecordingListener();
        // the engine makes the waveform, SpeechEncoder the file: as qwen-local composes them
        engine.submit(new EngineRequest.Speech(text, voice, speed), new SpeechEncoder(AudioFormat.fromWire(format).orElseThrow(), stream, l));
        RecordingListener.Outcome o = l.await();
        assertThat(o.ok()).as(String.valueOf(o.failure())).isTrue();
        return l;
    }

    @Test
    void hello_world_is_a_wav_with_the_right_header_and_a_voice_in_it() {
        ByteBuffer b = ByteBuffer.wrap(helloWav).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(helloWav, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(b.getInt(4)).isEqualTo(helloWav.length - 8);
        assertThat(new String(helloWav, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("WAVEfmt ");
        assertThat(b.getShort(20)).as("PCM").isEqualTo((short) 1);
        assertThat(b.getShort(22)).as("mono").isEqualTo((short) 1);
        assertThat(b.getInt(24)).as("24 kHz").isEqualTo(24_000);
        assertThat(b.getShort(34)).as("16-bit").isEqualTo((short) 16);
        int dataAt = indexOf(helloWav, "data");
        int dataBytes = b.getInt(dataAt + 4);
        assertThat(dataAt + 8 + dataBytes).isEqualTo(helloWav.length);

        double seconds = dataBytes / 2.0 / 24_000;
        assertThat(seconds).as("two words take about a second").isBetween(0.5, 2.5);
        short[] pcm = new short[dataBytes / 2];
        b.position(dataAt + 8);
        b.asShortBuffer().get(pcm);
        int peak = 0;
        long loud = 0;
        for (short s : pcm) {
            peak = Math.max(peak, Math.abs(s));
            if (Math.abs(s) > 1000) loud++;
        }
        assertThat(peak).as("not silent").isGreaterThan(8000);
        assertThat(loud).as("voiced for a good part of it").isGreaterThan(pcm.length / 10);
    }

    @ParameterizedTest
    @EnumSource(AudioFormat.class)
    void every_format_decodes_back_to_its_rate_and_the_waveforms_duration(AudioFormat format) throws Exception {
        // A sentence, not two words: raw AAC (ADTS) keeps the encoder's ~85 ms of priming and padding, which alone is
        // over 10% of "hello world".
        String text = "Hello world, this is the local speech engine speaking.";
        double expected = AudioDecoder.decode(speak(text, "alloy", 1.0, "wav", false).audio.toByteArray(), 0).seconds();
        byte[] audio = speak(text, "alloy", 1.0, format.wireName, false).audio.toByteArray();
        AudioDecoder.Decoded back = format == AudioFormat.PCM
                ? AudioDecoder.decode(audio, "s16le", 24_000, 0)
                : AudioDecoder.decode(audio, 0);
        assertThat(back.sourceSampleRate()).isEqualTo(format == AudioFormat.OPUS ? 48_000 : 24_000);
        assertThat(back.seconds()).isCloseTo(expected, within(expected * 0.10));
    }

    @Test
    void a_stream_comes_in_pieces_that_make_the_same_audio() throws Exception {
        String text = "The quick brown fox jumps over the lazy dog. It was not amused, and said so at length.";
        RecordingListener streamed = speak(text, "nova", 1.0, "mp3", true);
        assertThat(streamed.audioChunks.get()).isGreaterThan(1);
        RecordingListener whole = speak(text, "nova", 1.0, "mp3", false);
        assertThat(whole.audioChunks.get()).isEqualTo(1);
        assertThat(AudioDecoder.decode(streamed.audio.toByteArray(), 0).seconds())
                .isCloseTo(AudioDecoder.decode(whole.audio.toByteArray(), 0).seconds(), within(0.1));
    }

    @Test
    void speed_changes_the_duration_and_voices_differ() throws Exception {
        String text = "one two three four five six seven eight";
        double normal = AudioDecoder.decode(speak(text, "alloy", 1.0, "wav", false).audio.toByteArray(), 0).seconds();
        double fast = AudioDecoder.decode(speak(text, "alloy", 2.0, "wav", false).audio.toByteArray(), 0).seconds();
        double slow = AudioDecoder.decode(speak(text, "alloy", 0.5, "wav", false).audio.toByteArray(), 0).seconds();
        assertThat(fast).isLessThan(normal * 0.75);
        assertThat(slow).isGreaterThan(normal * 1.5);
        byte[] onyx = speak(text, "onyx", 1.0, "pcm", false).audio.toByteArray();
        byte[] nova = speak(text, "nova", 1.0, "pcm", false).audio.toByteArray();
        assertThat(onyx).isNotEqualTo(nova);
    }

    @Test
    void everyListedVoiceIsOneEspeakNgHas() throws Exception {
        for (String voice : SpeechVoices.of(EspeakSpeechEngine.ENGINE, null).keySet()) {
            assertThat(speak("hi", voice, 1.0, "pcm", false).audio.size()).as(voice).isGreaterThan(1000);
        }
    }

    static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 12; i + n.length <= haystack.length; i++) {
            for (int k = 0; k < n.length; k++) if (haystack[i + k] != n[k]) continue outer;
            return i;
        }
        throw new AssertionError("no " + needle + " chunk");
    }

    /** A machine without espeak-ng gets the install command as the reason; this one has it, so its engines are available. */
    @Test
    void aMissingLibraryIsReportedWithTheInstallCommandAndThePresentOneIsNot() {
        assertThat(EspeakNative.missingReason(java.util.List.of("libtailgate-no-such-espeak.so.1")))
                .contains("espeak-ng is not installed", "libtailgate-no-such-espeak.so.1", "apt-get install espeak-ng", "brew install espeak-ng");
        assertThat(EspeakNative.unavailableReason()).isNull();
        ModelSpec kokoro = new ModelSpec("k", ModelSpec.Capability.SPEECH, "kokoro", null, 0, 1);
        assertThat(new dev.tailgate.local.engine.InProcessEngineFactory().unavailableReason(kokoro)).isNull();
    }
}
