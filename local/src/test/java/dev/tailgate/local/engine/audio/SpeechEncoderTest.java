package dev.tailgate.local.engine.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.RecordingListener;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The encoding qwen-local does for a speech job: waveform pieces in, one file (or its streamed pieces) out. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpeechEncoderTest {

    @Test
    void pieces_at_espeaks_rate_become_one_24khz_wav_of_their_duration() throws Exception {
        RecordingListener out = new RecordingListener();
        SpeechEncoder encoder = new SpeechEncoder(AudioFormat.WAV, false, out);
        for (int i = 0; i < 4; i++) encoder.onSamples(AudioCodecTest.tone(0.5, 22_050), 22_050);
        encoder.onComplete(new JobListener.Usage(5, 0), "stop");

        assertThat(out.await().ok()).isTrue();
        assertThat(out.audioChunks.get()).as("not streamed: one piece, with the real sizes").isEqualTo(1);
        AudioDecoder.Decoded back = AudioDecoder.decode(out.audio.toByteArray(), 0);
        assertThat(back.sourceSampleRate()).isEqualTo(SpeechEncoder.OUTPUT_RATE);
        assertThat(back.seconds()).isCloseTo(2.0, within(0.03));
        assertThat(out.await().usage().promptTokens()).isEqualTo(5);
    }

    @Test
    void a_stream_passes_pieces_on_before_the_job_ends() throws Exception {
        RecordingListener out = new RecordingListener();
        SpeechEncoder encoder = new SpeechEncoder(AudioFormat.PCM, true, out);
        encoder.onSamples(AudioCodecTest.tone(1.0, 24_000), 24_000);
        assertThat(out.audioChunks.get()).isPositive();
        assertThat(out.outcome).isNotDone();
        encoder.onComplete(new JobListener.Usage(1, 0), "stop");
        assertThat(out.await().ok()).isTrue();
        assertThat(out.audio.size()).isEqualTo(24_000 * 2);
    }

    @Test
    void a_job_without_samples_is_an_empty_but_whole_file() throws Exception {
        RecordingListener out = new RecordingListener();
        new SpeechEncoder(AudioFormat.WAV, false, out).onComplete(new JobListener.Usage(1, 0), "stop");
        assertThat(out.await().ok()).isTrue();
        assertThat(new String(out.audio.toByteArray(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("RIFF");
    }

    @Test
    void a_change_of_sample_rate_ends_the_job_with_one_error() throws Exception {
        RecordingListener out = new RecordingListener();
        SpeechEncoder encoder = new SpeechEncoder(AudioFormat.MP3, true, out);
        encoder.onSamples(AudioCodecTest.tone(0.2, 24_000), 24_000);
        encoder.onSamples(AudioCodecTest.tone(0.2, 16_000), 16_000);
        encoder.onComplete(new JobListener.Usage(1, 0), "stop");

        RecordingListener.Outcome o = out.await();
        assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.ENGINE_ERROR);
        assertThat(o.failure().message()).contains("mp3", "24000", "16000");
        assertThat(out.terminalCalls.get()).isEqualTo(1);
    }

    @Test
    void an_engine_failure_is_passed_on_once_and_later_samples_are_dropped() throws Exception {
        RecordingListener out = new RecordingListener();
        SpeechEncoder encoder = new SpeechEncoder(AudioFormat.WAV, false, out);
        encoder.onSamples(AudioCodecTest.tone(0.2, 24_000), 24_000);
        encoder.onError(new EngineFailure(EngineFailure.Kind.CANCELLED, "cancelled"));
        encoder.onSamples(AudioCodecTest.tone(0.2, 24_000), 24_000);
        encoder.onComplete(new JobListener.Usage(1, 0), "stop");

        assertThat(out.await().failure().kind()).isEqualTo(EngineFailure.Kind.CANCELLED);
        assertThat(out.terminalCalls.get()).isEqualTo(1);
        assertThat(out.audioChunks.get()).as("half a file is never handed out").isZero();
    }
}
