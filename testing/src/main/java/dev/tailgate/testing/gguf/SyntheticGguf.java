package dev.tailgate.testing.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A random-weight model in GGUF with a real model's shape: llama.cpp loads it and generates (gibberish), so tests are
 * hermetic and benchmarks measure the true cost of a given architecture and size. Deterministic from its seed.
 *
 * <pre>{@code
 * Path file = SyntheticGguf.tiny().type(GgmlType.F16).seed(7).write(dir.resolve("tiny.gguf"));
 * Path bench = SyntheticGguf.qwen25_05b().type(GgmlType.Q8_0).write(dir.resolve("qwen-shape.gguf"));
 * }</pre>
 */
public final class SyntheticGguf {

    /** Architectures the writer can label a file with. qwen3 files exist to test refusal; they are not meant to run. */
    public enum Arch {
        QWEN2("qwen2", true), LLAMA("llama", false), QWEN3("qwen3", false);

        final String ggufName;
        final boolean qkvBias;

        Arch(String ggufName, boolean qkvBias) {
            this.ggufName = ggufName;
            this.qkvBias = qkvBias;
        }

        public String ggufName() { return ggufName; }
    }

    public static final String CHATML_TEMPLATE =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private Arch arch = Arch.QWEN2;
    private GgmlType type = GgmlType.F32;
    private long seed = 42;
    private int layers, embd, heads, kvHeads, ffn, contextLength;
    private float ropeBase = 1_000_000f;
    private boolean quietSpecialTokens = true;
    private String name = "tailgate-synthetic";

    private SyntheticGguf(int layers, int embd, int heads, int kvHeads, int ffn, int contextLength) {
        this.layers = layers;
        this.embd = embd;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ffn = ffn;
        this.contextLength = contextLength;
    }

    /** 2 layers, 64 wide: loads in milliseconds, for tests. */
    public static SyntheticGguf tiny() {
        return new SyntheticGguf(2, 64, 4, 2, 128, 4096);
    }

    /** Qwen2.5-0.5B's shape (24 layers, 896 wide, 14 heads, 2 KV heads, FFN 4864) with a tiny vocabulary. */
    public static SyntheticGguf qwen25_05b() {
        return new SyntheticGguf(24, 896, 14, 2, 4864, 32768);
    }

    public static SyntheticGguf custom(int layers, int embd, int heads, int kvHeads, int ffn) {
        return new SyntheticGguf(layers, embd, heads, kvHeads, ffn, 4096);
    }

    public SyntheticGguf arch(Arch arch) { this.arch = Objects.requireNonNull(arch); return this; }
    public SyntheticGguf type(GgmlType type) { this.type = Objects.requireNonNull(type); return this; }
    public SyntheticGguf seed(long seed) { this.seed = seed; return this; }
    public SyntheticGguf name(String name) { this.name = name; return this; }
    public SyntheticGguf contextLength(int n) { this.contextLength = n; return this; }

    /**
     * When true (default) the output rows of the special tokens are zero, so their logit is exactly 0 while the
     * others are spread around it: the random model rarely ends a turn on its own and produces long outputs.
     * A grammar that has completed still forces the end-of-turn token.
     */
    public SyntheticGguf quietSpecialTokens(boolean quiet) { this.quietSpecialTokens = quiet; return this; }

    public Path write(Path file) throws IOException {
        if (embd % heads != 0 || heads % kvHeads != 0) throw new IllegalArgumentException("heads must divide embd and kv heads divide heads");
        ByteLevelVocab vocab = new ByteLevelVocab();
        int nVocab = vocab.size();
        int kvDim = embd / heads * kvHeads;
        String a = arch.ggufName;

        GgufWriter w = new GgufWriter()
                .putString("general.architecture", a)
                .putString("general.name", name)
                .putUInt32("general.alignment", GgufWriter.ALIGNMENT)
                .putUInt32("general.file_type", fileType())
                .putUInt32(a + ".context_length", contextLength)
                .putUInt32(a + ".embedding_length", embd)
                .putUInt32(a + ".block_count", layers)
                .putUInt32(a + ".feed_forward_length", ffn)
                .putUInt32(a + ".attention.head_count", heads)
                .putUInt32(a + ".attention.head_count_kv", kvHeads)
                .putFloat32(a + ".rope.freq_base", ropeBase)
                .putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-6f)
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "qwen2")
                .putStrings("tokenizer.ggml.tokens", vocab.tokens())
                .putInt32s("tokenizer.ggml.token_type", vocab.tokenTypes())
                .putStrings("tokenizer.ggml.merges", vocab.merges())
                .putUInt32("tokenizer.ggml.eos_token_id", vocab.id(ByteLevelVocab.IM_END))
                .putUInt32("tokenizer.ggml.padding_token_id", vocab.id(ByteLevelVocab.END_OF_TEXT))
                .putUInt32("tokenizer.ggml.bos_token_id", vocab.id(ByteLevelVocab.END_OF_TEXT))
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putString("tokenizer.chat_template", CHATML_TEMPLATE);

        // 2-D weights go in the chosen type; norms and biases stay F32 as in real conversions.
        w.addTensor("token_embd.weight", dims(embd, nVocab), type, random("token_embd", embd, nVocab, 1f));
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            w.addTensor(p + "attn_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
            w.addTensor(p + "attn_q.weight", dims(embd, embd), type, linear(p + "q", embd, embd));
            w.addTensor(p + "attn_k.weight", dims(embd, kvDim), type, linear(p + "k", embd, kvDim));
            w.addTensor(p + "attn_v.weight", dims(embd, kvDim), type, linear(p + "v", embd, kvDim));
            if (arch.qkvBias) {
                w.addTensor(p + "attn_q.bias", dims(embd), GgmlType.F32, random(p + "qb", embd, 1, 0.02f));
                w.addTensor(p + "attn_k.bias", dims(kvDim), GgmlType.F32, random(p + "kb", kvDim, 1, 0.02f));
                w.addTensor(p + "attn_v.bias", dims(kvDim), GgmlType.F32, random(p + "vb", kvDim, 1, 0.02f));
            }
            w.addTensor(p + "attn_output.weight", dims(embd, embd), type, linear(p + "o", embd, embd));
            w.addTensor(p + "ffn_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
            w.addTensor(p + "ffn_gate.weight", dims(embd, ffn), type, linear(p + "gate", embd, ffn));
            w.addTensor(p + "ffn_up.weight", dims(embd, ffn), type, linear(p + "up", embd, ffn));
            w.addTensor(p + "ffn_down.weight", dims(ffn, embd), type, linear(p + "down", ffn, embd));
        }
        w.addTensor("output_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
        w.addTensor("output.weight", dims(embd, nVocab), type, output(vocab, embd));
        w.write(file);
        return file;
    }

    private int fileType() {
        return switch (type) { case F32 -> 0; case F16 -> 1; case Q8_0 -> 7; };
    }

    private static long[] dims(long... d) { return d; }

    private GgufWriter.TensorData constant(int n, float value) {
        return out -> {
            float[] v = new float[n];
            java.util.Arrays.fill(v, value);
            GgmlType.F32.encode(v, out);
        };
    }

    /** A projection with fan-in {@code in}: uniform weights with standard deviation 1/sqrt(in). */
    private GgufWriter.TensorData linear(String tensor, int in, int outRows) {
        return random(tensor, in, outRows, (float) Math.sqrt(3.0 / in));
    }

    /** Output projection: logits spread with standard deviation ~3; special tokens optionally silent (row of zeros). */
    private GgufWriter.TensorData output(ByteLevelVocab vocab, int embd) {
        float amplitude = (float) Math.sqrt(3.0 / embd) * 3f;
        return out -> {
            SplittableRandom rnd = rng("output");
            float[] row = new float[embd];
            for (int r = 0; r < vocab.size(); r++) {
                boolean silent = quietSpecialTokens && vocab.isSpecial(r);
                for (int i = 0; i < embd; i++) {
                    float v = (float) ((rnd.nextDouble() * 2 - 1) * amplitude);
                    row[i] = silent ? 0f : v;
                }
                type.encode(row, out);
            }
        };
    }

    /** {@code rows} rows of {@code cols} uniform values in [-amplitude, amplitude], written row by row. */
    private GgufWriter.TensorData random(String tensor, int cols, int rows, float amplitude) {
        GgmlType t = rows == 1 ? GgmlType.F32 : type;
        return out -> {
            SplittableRandom rnd = rng(tensor);
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < cols; i++) row[i] = (float) ((rnd.nextDouble() * 2 - 1) * amplitude);
                t.encode(row, out);
            }
        };
    }

    private SplittableRandom rng(String tensor) {
        return new SplittableRandom(seed * 1_000_003L + tensor.hashCode());
    }

}
