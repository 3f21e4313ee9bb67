package dev.tailgate.local.engine.audio;

import java.io.OutputStream;
import java.nio.FloatBuffer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Encodes mono float PCM into one {@link AudioFormat} with FFmpeg, writing the encoded bytes to a sink as the muxer
 * produces them — so a streamed response can start before the whole text is synthesised. Give it a
 * {@link SeekableBuffer} when the whole file is wanted at once: WAV and FLAC then get their final sizes in the header;
 * on a plain stream they carry the "unknown length" markers, as streamed audio does.
 *
 * <p>Not thread-safe: one job owns one encoder.
 */
public final class AudioEncoder implements AutoCloseable {
    private final FFmpegFrameRecorder recorder;
    private final int sampleRate;
    private final Resampler resampler;
    private boolean closed;

    /** Samples given to {@link #write} are at {@code sampleRate} and come out at the same rate. */
    public AudioEncoder(AudioFormat format, int sampleRate, OutputStream sink) throws AudioException {
        this(format, sampleRate, sampleRate, sink);
    }

    /** Samples given to {@link #write} are at {@code inputRate}; the file is at {@code sampleRate}. */
    public AudioEncoder(AudioFormat format, int inputRate, int sampleRate, OutputStream sink) throws AudioException {
        FFmpegNatives.load();
        this.sampleRate = sampleRate;
        this.resampler = inputRate == sampleRate ? null : new Resampler(inputRate, sampleRate);
        recorder = new FFmpegFrameRecorder(sink, 1);
        recorder.setCloseOutputStream(false);
        recorder.setFormat(format.muxer);
        recorder.setSampleRate(sampleRate);
        recorder.setAudioChannels(1);
        if (format.encoderName != null) recorder.setAudioCodecName(format.encoderName);
        else recorder.setAudioCodec(format.codecId);
        if (format.bitrate > 0) recorder.setAudioBitrate(format.bitrate);
        try {
            recorder.start();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            release();
            throw new AudioException("cannot start the " + format.wireName + " encoder: " + e.getMessage(), e);
        }
    }

    /** Encodes these samples (mono, in [-1, 1], at the input rate); the sink receives whatever the encoder completes. */
    public void write(float[] samples) throws AudioException {
        record(resampler == null ? samples : resampler.convert(samples));
    }

    private void record(float[] samples) throws AudioException {
        if (samples.length == 0) return;
        try {
            recorder.recordSamples(sampleRate, 1, FloatBuffer.wrap(samples));
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new AudioException("encoding failed: " + e.getMessage(), e);
        }
    }

    /** Flushes the encoder and writes the container's trailer. */
    public void finish() throws AudioException {
        if (closed) return;
        if (resampler != null) record(resampler.flush());
        closed = true;
        try {
            recorder.stop();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new AudioException("finishing the audio failed: " + e.getMessage(), e);
        } finally {
            release();
        }
    }

    /** One call: the whole waveform as one file. */
    public static byte[] encode(AudioFormat format, int sampleRate, float[] samples) throws AudioException {
        SeekableBuffer out = new SeekableBuffer();
        try (AudioEncoder enc = new AudioEncoder(format, sampleRate, out)) {
            enc.write(samples);
            enc.finish();
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            recorder.stop();
        } catch (FrameRecorder.Exception | RuntimeException ignored) {
            // abandoning a job: what it wrote no longer matters
        }
        release();
    }

    private void release() {
        if (resampler != null) resampler.close();
        try {
            recorder.release();
        } catch (FrameRecorder.Exception | RuntimeException ignored) {
            // nothing left to free
        }
    }
}
