package dev.tailgate.local.engine.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AudioCodecTest {
    static final int RATE = 24_000;

    /** 1.5 s of a 440 Hz tone at half scale. */
    static float[] tone(double seconds, int rate) {
        float[] s = new float[(int) (seconds * rate)];
        for (int i = 0; i < s.length; i++) s[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / rate));
        return s;
    }

    static double rms(float[] s) {
        double sum = 0;
        for (float v : s) sum += v * v;
        return Math.sqrt(sum / Math.max(1, s.length));
    }

    @ParameterizedTest
    @EnumSource(AudioFormat.class)
    void every_format_decodes_back_to_24khz_and_the_same_duration(AudioFormat format) throws Exception {
        float[] pcm = tone(1.5, RATE);
        byte[] encoded = AudioEncoder.encode(format, RATE, pcm);

        AudioDecoder.Decoded back = format == AudioFormat.PCM
                ? AudioDecoder.decode(encoded, "s16le", RATE, 0)
                : AudioDecoder.decode(encoded, 0);

        // Opus always decodes at 48 kHz (RFC 7845); the 24 kHz input rate is only a note in its header.
        assertThat(back.sourceSampleRate()).isEqualTo(format == AudioFormat.OPUS ? 48_000 : RATE);
        assertThat(back.seconds()).isCloseTo(1.5, within(0.15));
        assertThat(rms(back.samples())).as("the tone survives the codec").isCloseTo(0.35, within(0.07));
    }

    @Test
    void pcm_is_raw_s16le_without_a_header() throws Exception {
        byte[] encoded = AudioEncoder.encode(AudioFormat.PCM, RATE, new float[] {0f, 0.5f, -0.5f});
        assertThat(encoded).hasSize(6);
        assertThat((short) ((encoded[3] << 8) | (encoded[2] & 0xff))).isBetween((short) 16380, (short) 16390);
    }

    @Test
    void wav_in_one_piece_has_its_final_sizes_in_the_header() throws Exception {
        byte[] wav = AudioEncoder.encode(AudioFormat.WAV, RATE, tone(0.5, RATE));
        assertThat(new String(wav, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(le32(wav, 4)).isEqualTo(wav.length - 8);
    }

    @Test
    void a_streamed_encoder_emits_bytes_before_it_is_finished() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (AudioEncoder enc = new AudioEncoder(AudioFormat.MP3, RATE, sink)) {
            enc.write(tone(1.0, RATE));
            assertThat(sink.size()).as("mp3 frames of the first second are out").isGreaterThan(1000);
            enc.finish();
        }
        assertThat(AudioDecoder.decode(sink.toByteArray(), 0).seconds()).isCloseTo(1.0, within(0.1));
    }

    @ParameterizedTest
    @EnumSource(value = AudioFormat.class, names = {"MP3", "FLAC", "WAV"})
    void input_at_another_rate_is_resampled_without_losing_or_adding_time(AudioFormat format) throws Exception {
        float[] at22k = tone(1.5, 22_050);
        SeekableBuffer out = new SeekableBuffer();
        try (AudioEncoder enc = new AudioEncoder(format, 22_050, RATE, out)) {
            for (int i = 0; i < at22k.length; i += 2205) { // in 100 ms pieces, as espeak-ng hands them over
                enc.write(java.util.Arrays.copyOfRange(at22k, i, Math.min(at22k.length, i + 2205)));
            }
            enc.finish();
        }
        AudioDecoder.Decoded back = AudioDecoder.decode(out.toByteArray(), 0);
        assertThat(back.sourceSampleRate()).isEqualTo(RATE);
        assertThat(back.seconds()).isCloseTo(1.5, within(0.03));
    }

    @Test
    void decoding_resamples_to_16khz_mono() throws Exception {
        byte[] flac = AudioEncoder.encode(AudioFormat.FLAC, RATE, tone(2.0, RATE));
        AudioDecoder.Decoded d = AudioDecoder.decode(flac, 16_000);
        assertThat(d.sampleRate()).isEqualTo(16_000);
        assertThat(d.samples().length).isCloseTo(32_000, within(800));
    }

    @Test
    void bytes_that_are_not_audio_are_refused_with_a_reason() {
        assertThatThrownBy(() -> AudioDecoder.decode("this is not audio at all, just text".repeat(20).getBytes(), 16_000))
                .isInstanceOf(AudioException.class)
                .hasMessageContaining("not audio");
        assertThatThrownBy(() -> AudioDecoder.decode(new byte[0], 16_000)).hasMessageContaining("empty");
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
