package dev.tailgate.testing.whisper;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A random-weight Whisper model in whisper.cpp's ggml file format (magic, hyper-parameters, mel filters, vocabulary,
 * then every tensor by name): whisper.cpp loads it and transcribes (gibberish words {@code " w123"}), so transcription
 * tests are hermetic. Deterministic from its seed; ~2 MB. Like a real f16 model, the matrices and convolution kernels
 * are float16 (whisper.cpp's convolution only takes f16) and the rest float32.
 *
 * <p>It avoids the loader's traps: every tensor is written (whisper.cpp accepts a file with none as an "empty model for
 * testing" and then fails at inference), the vocabulary holds {@code " "} (suppress_blank looks it up), and the
 * vocabulary size is an English-only model's 51864, so the special tokens sit where whisper.cpp expects them.
 */
public final class SyntheticWhisperModel {
    static final int MAGIC = 0x67676d6c; // "ggml"
    /** English-only Whisper: ids 50256.. are the special tokens, 50363.. the timestamps. */
    public static final int N_VOCAB = 51864;
    static final int TEXT_TOKENS = 50256;
    static final int N_AUDIO_CTX = 1500;
    static final int N_TEXT_CTX = 448;
    static final int N_MELS = 80;
    static final int N_FFT_BINS = 201;

    private final int state;
    private final int heads;
    private final int layers;
    private long seed = 1;
    private boolean tensors = true;
    private boolean blankToken = true;

    private SyntheticWhisperModel(int state, int heads, int layers) {
        this.state = state;
        this.heads = heads;
        this.layers = layers;
    }

    /** 1 encoder and 1 decoder layer, 16 wide, 2 heads: loads and runs in milliseconds. */
    public static SyntheticWhisperModel tiny() {
        return new SyntheticWhisperModel(16, 2, 1);
    }

    public SyntheticWhisperModel seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The loader's first trap, on purpose: header, mel filters and vocabulary, then no tensor at all. */
    public SyntheticWhisperModel withoutTensors() {
        this.tensors = false;
        return this;
    }

    /** The second trap: the vocabulary lacks {@code " "} (id 220 becomes {@code " w220"} like its neighbours). */
    public SyntheticWhisperModel withoutBlankToken() {
        this.blankToken = false;
        return this;
    }

    public Path write(Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            Writer w = new Writer(out);
            w.i32(MAGIC);
            for (int v : new int[] {N_VOCAB, N_AUDIO_CTX, state, heads, layers, N_TEXT_CTX, state, heads, layers, N_MELS, 1}) {
                w.i32(v); // ..., n_mels, ftype 1 = mostly float16
            }
            w.i32(N_MELS);
            w.i32(N_FFT_BINS);
            for (int m = 0; m < N_MELS; m++) {
                for (int f = 0; f < N_FFT_BINS; f++) w.f32(Math.abs(f - 2.5f * m) < 2 ? 0.5f : 0f); // a band per mel
            }
            w.i32(TEXT_TOKENS);
            for (int i = 0; i < TEXT_TOKENS; i++) {
                byte[] word = (i == 220 && blankToken ? " " : " w" + i).getBytes(StandardCharsets.UTF_8);
                w.i32(word.length);
                w.bytes(word);
            }
            if (!tensors) return file;
            int s = state;
            tensor(w, random, "encoder.positional_embedding", Fill.RANDOM, s, N_AUDIO_CTX);
            tensor(w, random, "encoder.conv1.weight", Fill.RANDOM16, 3, N_MELS, s);
            tensor(w, random, "encoder.conv1.bias", Fill.ZERO, 1, s);
            tensor(w, random, "encoder.conv2.weight", Fill.RANDOM16, 3, s, s);
            tensor(w, random, "encoder.conv2.bias", Fill.ZERO, 1, s);
            tensor(w, random, "encoder.ln_post.weight", Fill.ONE, s);
            tensor(w, random, "encoder.ln_post.bias", Fill.ZERO, s);
            for (int l = 0; l < layers; l++) block(w, random, "encoder.blocks." + l + ".", false);
            tensor(w, random, "decoder.positional_embedding", Fill.RANDOM, s, N_TEXT_CTX);
            tensor(w, random, "decoder.token_embedding.weight", Fill.RANDOM16, s, N_VOCAB);
            tensor(w, random, "decoder.ln.weight", Fill.ONE, s);
            tensor(w, random, "decoder.ln.bias", Fill.ZERO, s);
            for (int l = 0; l < layers; l++) block(w, random, "decoder.blocks." + l + ".", true);
        }
        return file;
    }

    private void block(Writer w, SplittableRandom random, String p, boolean cross) throws IOException {
        int s = state;
        tensor(w, random, p + "mlp_ln.weight", Fill.ONE, s);
        tensor(w, random, p + "mlp_ln.bias", Fill.ZERO, s);
        tensor(w, random, p + "mlp.0.weight", Fill.RANDOM16, s, 4 * s);
        tensor(w, random, p + "mlp.0.bias", Fill.ZERO, 4 * s);
        tensor(w, random, p + "mlp.2.weight", Fill.RANDOM16, 4 * s, s);
        tensor(w, random, p + "mlp.2.bias", Fill.ZERO, s);
        attention(w, random, p + "attn");
        if (cross) attention(w, random, p + "cross_attn");
    }

    private void attention(Writer w, SplittableRandom random, String p) throws IOException {
        int s = state;
        tensor(w, random, p + "_ln.weight", Fill.ONE, s);
        tensor(w, random, p + "_ln.bias", Fill.ZERO, s);
        tensor(w, random, p + ".query.weight", Fill.RANDOM16, s, s);
        tensor(w, random, p + ".query.bias", Fill.ZERO, s);
        tensor(w, random, p + ".key.weight", Fill.RANDOM16, s, s);
        tensor(w, random, p + ".value.weight", Fill.RANDOM16, s, s);
        tensor(w, random, p + ".value.bias", Fill.ZERO, s);
        tensor(w, random, p + ".out.weight", Fill.RANDOM16, s, s);
        tensor(w, random, p + ".out.bias", Fill.ZERO, s);
    }

    /** RANDOM16 is stored as float16, the rest as float32. */
    private enum Fill { ZERO, ONE, RANDOM, RANDOM16 }

    /** n_dims, name length, type (0 = f32, 1 = f16), ne[] innermost first, name, data. */
    private static void tensor(Writer w, SplittableRandom random, String name, Fill fill, int... ne) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        w.i32(ne.length);
        w.i32(n.length);
        boolean half = fill == Fill.RANDOM16;
        w.i32(half ? 1 : 0);
        long count = 1;
        for (int d : ne) {
            w.i32(d);
            count *= d;
        }
        w.bytes(n);
        for (long i = 0; i < count; i++) {
            float v = switch (fill) {
                case ZERO -> 0f;
                case ONE -> 1f;
                case RANDOM, RANDOM16 -> (float) (random.nextDouble(-1, 1) * 0.5);
            };
            if (half) w.f16(v); else w.f32(v);
        }
    }

    /** Little-endian primitives. */
    private static final class Writer {
        private final OutputStream out;
        private final ByteBuffer buf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

        Writer(OutputStream out) {
            this.out = out;
        }

        void i32(int v) throws IOException {
            buf.clear();
            out.write(buf.putInt(v).array());
        }

        void f32(float v) throws IOException {
            buf.clear();
            out.write(buf.putFloat(v).array());
        }

        void f16(float v) throws IOException {
            short h = Float.floatToFloat16(v);
            out.write(h & 0xff);
            out.write((h >> 8) & 0xff);
        }

        void bytes(byte[] b) throws IOException {
            out.write(b);
        }
    }
}
