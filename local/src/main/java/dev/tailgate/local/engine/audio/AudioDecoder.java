package dev.tailgate.local.engine.audio;

import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes any container FFmpeg can probe (flac, mp3, mp4/m4a, ogg, wav, webm, …) and resamples it to mono float at the
 * rate an engine needs (Whisper: 16 kHz). Input that is not audio fails with an {@link AudioException} naming why.
 */
public final class AudioDecoder {
    /** Most samples one decode returns (an hour at 16 kHz); beyond it the upload is refused rather than held. */
    static final int MAX_SAMPLES = 3600 * 16_000;

    private AudioDecoder() {}

    /** What came out: the file's own rate, and the samples at the requested rate. */
    public record Decoded(int sourceSampleRate, int sampleRate, float[] samples) {
        public double seconds() {
            return samples.length / (double) sampleRate;
        }
    }

    /** Probes the container; {@code targetRate} 0 keeps the file's own rate. */
    public static Decoded decode(byte[] data, int targetRate) throws AudioException {
        return decode(data, null, 0, targetRate);
    }

    /**
     * @param rawFormat an FFmpeg demuxer name for headerless input ({@code s16le}), else null to probe
     * @param rawRate   the sample rate of headerless input
     */
    public static Decoded decode(byte[] data, String rawFormat, int rawRate, int targetRate) throws AudioException {
        if (data.length == 0) throw new AudioException("the audio file is empty");
        FFmpegNatives.load();
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(data), data.length);
        try {
            if (rawFormat != null) {
                grabber.setFormat(rawFormat);
                grabber.setOption("sample_rate", Integer.toString(rawRate));
                grabber.setOption("ch_layout", "mono");
            }
            grabber.setAudioChannels(1);
            grabber.setSampleFormat(avutil.AV_SAMPLE_FMT_FLT);
            if (targetRate > 0) grabber.setSampleRate(targetRate);
            try {
                grabber.start();
            } catch (FrameGrabber.Exception e) {
                throw new AudioException("the file is not audio FFmpeg can read (" + reason(e) + ")", e);
            }
            if (grabber.getAudioStream() < 0) throw new AudioException("the file has no audio stream");
            // The grabber reports the output rate once a resampling rate is set; the stream's own is in its parameters.
            int sourceRate = grabber.getFormatContext().streams(grabber.getAudioStream()).codecpar().sample_rate();
            int rate = targetRate > 0 ? targetRate : sourceRate;
            FloatCollector out = new FloatCollector();
            Frame frame;
            while ((frame = grabber.grabSamples()) != null) {
                if (frame.samples == null) continue;
                FloatBuffer fb = (FloatBuffer) frame.samples[0];
                out.add(fb);
                if (out.size() > MAX_SAMPLES) throw new AudioException("the audio is longer than an hour");
            }
            if (out.size() == 0) throw new AudioException("the file contains no audio samples");
            return new Decoded(sourceRate, rate, out.toArray());
        } catch (FrameGrabber.Exception e) {
            throw new AudioException("the audio is corrupt (" + reason(e) + ")", e);
        } finally {
            try {
                grabber.release();
            } catch (FrameGrabber.Exception | RuntimeException ignored) {
                // freeing only
            }
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("[\\p{Cntrl}]", " ").strip();
    }

    /** A growing float array. */
    private static final class FloatCollector {
        private float[] data = new float[1 << 16];
        private int size;

        void add(FloatBuffer fb) {
            int n = fb.remaining();
            if (size + n > data.length) data = java.util.Arrays.copyOf(data, Math.max(size + n, data.length * 2));
            fb.get(data, size, n);
            size += n;
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
