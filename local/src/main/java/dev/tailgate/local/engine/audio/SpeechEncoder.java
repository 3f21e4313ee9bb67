package dev.tailgate.local.engine.audio;

import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.JobListener;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Turns a speech job's waveform ({@link JobListener#onSamples}) into the file of one {@link AudioFormat} for the
 * listener downstream ({@link JobListener#onAudio}), resampled to {@link #OUTPUT_RATE}. Streamed, each piece the muxer
 * writes is passed on at once; otherwise the whole file comes in one piece at the end, so WAV and FLAC headers carry
 * the real sizes.
 *
 * <p>It runs in qwen-local, not in the worker: encoding our own samples parses no client input, and a speech worker
 * that maps no FFmpeg holds ~15 MB less (measured in bench/README.md). Decoding uploads stays in the transcription
 * worker, where a codec crash on a hostile file costs that worker only.
 *
 * <p>Calls may come from several threads (the worker's reader, a watchdog's kill): each is serialised here.
 */
public final class SpeechEncoder implements JobListener {
    /** The rate of every speech response format (as the OpenAI API: pcm is 24 kHz s16le mono). */
    public static final int OUTPUT_RATE = 24_000;

    private final AudioFormat format;
    private final JobListener downstream;
    private final OutputStream sink;
    private AudioEncoder encoder; // made with the first samples, at their rate
    private int inputRate;
    private boolean ended;

    /** @param stream hand out encoded pieces as they are made (the container then carries no final sizes) */
    public SpeechEncoder(AudioFormat format, boolean stream, JobListener downstream) {
        this.format = format;
        this.downstream = downstream;
        this.sink = stream ? new Pieces() : new SeekableBuffer();
    }

    @Override
    public synchronized void onSamples(float[] samples, int sampleRate) {
        if (ended) return;
        try {
            if (encoder == null) {
                encoder = new AudioEncoder(format, sampleRate, OUTPUT_RATE, sink);
                inputRate = sampleRate;
            } else if (sampleRate != inputRate) {
                throw new AudioException("the engine changed its sample rate from " + inputRate + " to " + sampleRate + " Hz");
            }
            encoder.write(samples);
        } catch (AudioException | RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public synchronized void onComplete(Usage usage, String finishReason) {
        if (ended) return;
        try {
            if (encoder == null) encoder = new AudioEncoder(format, OUTPUT_RATE, sink); // no samples: an empty file
            encoder.finish();
        } catch (AudioException | RuntimeException e) {
            fail(e);
            return;
        }
        ended = true;
        if (sink instanceof SeekableBuffer whole) downstream.onAudio(whole.toByteArray());
        downstream.onComplete(usage, finishReason);
    }

    @Override
    public synchronized void onError(EngineFailure failure) {
        if (ended) return;
        ended = true;
        if (encoder != null) encoder.close();
        downstream.onError(failure);
    }

    private void fail(Exception e) {
        onError(new EngineFailure(Kind.ENGINE_ERROR, "encoding the " + format.wireName + " audio failed: " + e.getMessage()));
    }

    /** Passes each piece the muxer writes straight on: the stream of a streamed response. */
    private final class Pieces extends OutputStream {
        @Override
        public void write(int b) {
            downstream.onAudio(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > 0) downstream.onAudio(Arrays.copyOfRange(b, off, off + len));
        }
    }
}
