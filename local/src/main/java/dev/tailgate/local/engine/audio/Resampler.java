package dev.tailgate.local.engine.audio;

import java.util.Arrays;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Mono float PCM from one rate to another with FFmpeg's libswresample, keeping every sample: {@link #flush} returns
 * what the filter still holds. (JavaCV's recorder resamples on the fly too, but loses or adds tenths of a second.)
 */
final class Resampler implements AutoCloseable {
    private final SwrContext swr;
    private final int inRate;
    private final int outRate;

    Resampler(int inRate, int outRate) throws AudioException {
        this.inRate = inRate;
        this.outRate = outRate;
        AVChannelLayout mono = new AVChannelLayout();
        avutil.av_channel_layout_default(mono, 1);
        // swr_alloc_set_opts2 reuses *ps when it is not null: the fresh slot must hold null, not whatever was there.
        PointerPointer<Pointer> holder = new PointerPointer<>(1).put(0, (Pointer) null);
        int rc = swresample.swr_alloc_set_opts2(holder, mono, avutil.AV_SAMPLE_FMT_FLT, outRate,
                mono, avutil.AV_SAMPLE_FMT_FLT, inRate, 0, null);
        if (rc < 0 || holder.get(0) == null) throw new AudioException("cannot set up resampling " + inRate + " → " + outRate + " Hz");
        swr = new SwrContext(holder.get(0));
        if (swresample.swr_init(swr) < 0) {
            swresample.swr_free(swr);
            throw new AudioException("cannot start resampling " + inRate + " → " + outRate + " Hz");
        }
    }

    float[] convert(float[] in) {
        try (FloatPointer input = new FloatPointer(in)) {
            return run(planes(input), in.length);
        }
    }

    /** The samples still inside the filter; call once, at the end. */
    float[] flush() {
        return run(null, 0);
    }

    private float[] run(PointerPointer<?> input, int count) {
        int capacity = (int) ((long) count * outRate / inRate) + 256 + swresample.swr_get_out_samples(swr, count);
        try (FloatPointer output = new FloatPointer(capacity)) {
            int n = swresample.swr_convert(swr, planes(output), capacity, input, count);
            if (n <= 0) return new float[0];
            float[] out = new float[n];
            output.get(out);
            return n == out.length ? out : Arrays.copyOf(out, n);
        }
    }

    /** The one-plane array swr_convert wants ({@code new PointerPointer(p)} would reinterpret p itself as one). */
    private static PointerPointer<Pointer> planes(FloatPointer plane) {
        return new PointerPointer<>(1).put(0, plane);
    }

    @Override
    public void close() {
        swresample.swr_free(swr);
    }
}
