package dev.tailgate.testing.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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

    /**
     * Qwen2.5-Instruct's chat template (tools in the system turn, {@code <tool_call>} blocks, {@code <tool_response>}
     * results): llama-server's {@code --jinja} recognises the Qwen/Hermes tool-call format from it.
     */
    public static final String QWEN25_TEMPLATE = """
            {%- if tools %}
                {{- '<|im_start|>system\\n' }}
                {%- if messages[0]['role'] == 'system' %}
                    {{- messages[0]['content'] }}
                {%- else %}
                    {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
                {%- endif %}
                {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
                {%- for tool in tools %}
                    {{- "\\n" }}
                    {{- tool | tojson }}
                {%- endfor %}
                {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
            {%- else %}
                {%- if messages[0]['role'] == 'system' %}
                    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
                {%- else %}
                    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
                {%- endif %}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
                {%- elif message.role == "assistant" %}
                    {{- '<|im_start|>' + message.role }}
                    {%- if message.content %}
                        {{- '\\n' + message.content }}
                    {%- endif %}
                    {%- for tool_call in message.tool_calls %}
                        {%- if tool_call.function is defined %}
                            {%- set tool_call = tool_call.function %}
                        {%- endif %}
                        {{- '\\n<tool_call>\\n{"name": "' }}
                        {{- tool_call.name }}
                        {{- '", "arguments": ' }}
                        {{- tool_call.arguments | tojson }}
                        {{- '}\\n</tool_call>' }}
                    {%- endfor %}
                    {{- '<|im_end|>\\n' }}
                {%- elif message.role == "tool" %}
                    {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                        {{- '<|im_start|>user' }}
                    {%- endif %}
                    {{- '\\n<tool_response>\\n' }}
                    {{- message.content }}
                    {{- '\\n</tool_response>' }}
                    {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                        {{- '<|im_end|>\\n' }}
                    {%- endif %}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """;

    private Arch arch = Arch.QWEN2;
    private String template = CHATML_TEMPLATE;
    private String answer;
    private String marker;
    private String markedAnswer;
    private GgmlType type = GgmlType.F32;
    private long seed = 42;
    private int layers, embd, heads, kvHeads, ffn, contextLength;
    private float ropeBase = 1_000_000f;
    private boolean quietSpecialTokens = true;
    private String name = "tailgate-synthetic";
    private Integer pooling;

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

    /** Qwen2.5-1.5B's shape (28 layers, 1536 wide, 12 heads, 2 KV heads, FFN 8960) with a tiny vocabulary. */
    public static SyntheticGguf qwen25_15b() {
        return new SyntheticGguf(28, 1536, 12, 2, 8960, 32768);
    }

    public static SyntheticGguf custom(int layers, int embd, int heads, int kvHeads, int ffn) {
        return new SyntheticGguf(layers, embd, heads, kvHeads, ffn, 4096);
    }

    public SyntheticGguf arch(Arch arch) { this.arch = Objects.requireNonNull(arch); return this; }
    public SyntheticGguf type(GgmlType type) { this.type = Objects.requireNonNull(type); return this; }
    public SyntheticGguf seed(long seed) { this.seed = seed; return this; }
    public SyntheticGguf name(String name) { this.name = name; return this; }
    public SyntheticGguf contextLength(int n) { this.contextLength = n; return this; }
    public SyntheticGguf chatTemplate(String template) { this.template = Objects.requireNonNull(template); return this; }
    /** Writes {@code <arch>.pooling_type} (llama.cpp's enum: 1 mean, 2 cls, 3 last), as embedding models' files do. */
    public SyntheticGguf pooling(int type) { this.pooling = type; return this; }

    /**
     * A model that answers every prompt with {@code text}, then ends its turn — deterministically, whatever the sampler
     * settings. The text becomes extra vocabulary tokens of a few characters each (so a stream splits it, tags
     * included); the weights make a bigram chain: the embedding is one-hot, every layer adds nothing to the residual
     * (zero output projections), and the output row of each piece points at the token before it. The chain starts at
     * the newline that ends the generation prompt ({@code <|im_start|>assistant\n}). The width grows to the vocabulary.
     */
    public SyntheticGguf answering(String text) {
        if (text.codePointCount(0, text.length()) < 2) throw new IllegalArgumentException("answer too short");
        this.answer = text;
        return this;
    }

    /**
     * As {@link #answering}, until the context holds {@code marker}: from then on the model answers {@code text}
     * instead (a tool's output, say, turns a model that always calls a tool into one that then answers). The marker
     * becomes a user-defined token (one token wherever it occurs in a prompt); one attention head of the first layer
     * looks for it whatever its position (its query is a constant in RoPE's slowest-turning dimension, and only the
     * marker has a key), and copies a flag into a spare residual dimension that moves the chain's first step from
     * {@code answering}'s text to this one.
     */
    public SyntheticGguf answeringOnceSeen(String marker, String text) {
        if (answer == null) throw new IllegalStateException("answering(...) first");
        if (text.codePointCount(0, text.length()) < 2) throw new IllegalArgumentException("answer too short");
        if (marker.isBlank() || marker.contains(" ")) throw new IllegalArgumentException("the marker must be one word");
        this.marker = marker;
        this.markedAnswer = text;
        return this;
    }

    /** Each answer cut into pieces of 2–4 characters that are unique (across all answers) and not already tokens. */
    static List<List<String>> pieces(List<String> texts) {
        ByteLevelVocab base = new ByteLevelVocab();
        Set<String> seen = new HashSet<>();
        List<List<String>> all = new ArrayList<>();
        for (String text : texts) all.add(pieces(text, base, seen));
        return all;
    }

    private static List<String> pieces(String text, ByteLevelVocab base, Set<String> seen) {
        List<String> out = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int rest = text.length() - at;
            String chosen = null;
            for (int len : new int[] {3, 2, 4, 5, 6, 7, 8}) {
                if (len > rest || (rest - len == 1)) continue; // never leave a single character behind
                String p = text.substring(at, at + len);
                if (Character.isHighSurrogate(p.charAt(p.length() - 1))) continue;
                if (!seen.contains(p) && !base.contains(ByteLevelVocab.spell(p))) {
                    chosen = p;
                    break;
                }
            }
            if (chosen == null) chosen = text.substring(at); // the unique remainder
            if (!seen.add(chosen)) throw new IllegalArgumentException("cannot cut the answer into unique pieces");
            out.add(chosen);
            at += chosen.length();
        }
        return out;
    }

    /**
     * When true (default) the output rows of the special tokens are zero, so their logit is exactly 0 while the
     * others are spread around it: the random model rarely ends a turn on its own and produces long outputs.
     * A grammar that has completed still forces the end-of-turn token.
     */
    public SyntheticGguf quietSpecialTokens(boolean quiet) { this.quietSpecialTokens = quiet; return this; }

    public Path write(Path file) throws IOException {
        if (embd % heads != 0 || heads % kvHeads != 0) throw new IllegalArgumentException("heads must divide embd and kv heads divide heads");
        List<List<String>> answers = answer == null ? List.of()
                : pieces(markedAnswer == null ? List.of(answer) : List.of(answer, markedAnswer));
        ByteLevelVocab vocab = new ByteLevelVocab(answers.stream().flatMap(List::stream).toList(),
                marker == null ? List.of() : List.of(marker));
        int nVocab = vocab.size();
        if (answer != null) {
            // one-hot embeddings need a width of at least the vocabulary (rounded to whole heads), plus the flag
            int unit = heads * 2;
            int width = nVocab + (marker == null ? 0 : 1);
            embd = Math.max(embd, (width + unit - 1) / unit * unit);
        }
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
                .putString("tokenizer.chat_template", template);
        if (pooling != null) w.putUInt32(a + ".pooling_type", pooling);

        Chain next = answer == null ? null : new Chain(vocab, answers, embd, marker == null ? -1 : nVocab);
        // 2-D weights go in the chosen type; norms and biases stay F32 as in real conversions.
        w.addTensor("token_embd.weight", dims(embd, nVocab), type,
                next == null ? random("token_embd", embd, nVocab, 1f) : oneHot(embd, nVocab));
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            if (i == 0 && marker != null) {
                markerHead(w, p, vocab.id(marker), nVocab, embd, kvDim);
                continue;
            }
            w.addTensor(p + "attn_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
            w.addTensor(p + "attn_q.weight", dims(embd, embd), type, linear(p + "q", embd, embd));
            w.addTensor(p + "attn_k.weight", dims(embd, kvDim), type, linear(p + "k", embd, kvDim));
            w.addTensor(p + "attn_v.weight", dims(embd, kvDim), type, linear(p + "v", embd, kvDim));
            if (arch.qkvBias) {
                w.addTensor(p + "attn_q.bias", dims(embd), GgmlType.F32, random(p + "qb", embd, 1, 0.02f));
                w.addTensor(p + "attn_k.bias", dims(kvDim), GgmlType.F32, random(p + "kb", kvDim, 1, 0.02f));
                w.addTensor(p + "attn_v.bias", dims(kvDim), GgmlType.F32, random(p + "vb", kvDim, 1, 0.02f));
            }
            w.addTensor(p + "attn_output.weight", dims(embd, embd), type,
                    next == null ? linear(p + "o", embd, embd) : zeros(embd, embd));
            w.addTensor(p + "ffn_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
            w.addTensor(p + "ffn_gate.weight", dims(embd, ffn), type, linear(p + "gate", embd, ffn));
            w.addTensor(p + "ffn_up.weight", dims(embd, ffn), type, linear(p + "up", embd, ffn));
            w.addTensor(p + "ffn_down.weight", dims(ffn, embd), type,
                    next == null ? linear(p + "down", ffn, embd) : zeros(ffn, embd));
        }
        w.addTensor("output_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
        w.addTensor("output.weight", dims(embd, nVocab), type, next == null ? output(vocab, embd) : next.outputRows());
        w.write(file);
        return file;
    }

    private int fileType() {
        return switch (type) { case F32 -> 0; case F16 -> 1; case Q4_0 -> 2; case Q8_0 -> 7; };
    }

    private static long[] dims(long... d) { return d; }

    /**
     * The crafted output projection: a bigram chain through each answer's pieces, starting at the newline that ends the
     * generation prompt. Row u is 8 at every t whose successor is u: after the final norm its logit is ~8·sqrt(embd),
     * every other is 0. With a marked answer, the two first steps also read the flag dimension: the first answer's row
     * is 8 at the newline and -4 at the flag, the marked answer's 4 and +4 — so the flag (1 once the marker was seen)
     * decides between them by a wide margin and no step later in either chain is disturbed.
     */
    private final class Chain {
        final float[][] rows;

        Chain(ByteLevelVocab vocab, List<List<String>> answers, int embd, int flag) {
            rows = new float[vocab.size()][embd];
            int newline = vocab.id(ByteLevelVocab.spell("\n"));
            for (int a = 0; a < answers.size(); a++) {
                int previous = newline;
                for (String p : answers.get(a)) {
                    int id = vocab.id(ByteLevelVocab.spell(p));
                    if (previous == newline && a == 1) {
                        rows[id][newline] = 4f;
                        rows[id][flag] = 4f;
                    } else {
                        rows[id][previous] = 8f;
                        if (previous == newline && flag >= 0) rows[id][flag] = -4f;
                    }
                    previous = id;
                }
                rows[vocab.id(ByteLevelVocab.IM_END)][previous] = 8f;
            }
        }

        GgufWriter.TensorData outputRows() {
            return out -> {
                for (float[] row : rows) type.encode(row, out);
            };
        }
    }

    /**
     * Layer 0 of a model with a marker: attention head 0 attends to the marker wherever it is and writes 1 into the
     * {@code flag} dimension of the residual; everything else adds nothing. The query is a constant (bias only) in the
     * last dimension of head 0, which RoPE turns slowest (theta^(-(d-2)/d) per position: under 0.1 rad across a 64k
     * context), so the score does not depend on distance; only the marker's key is non-zero (score ~40 against 0), and
     * only its value is, so without a marker the head averages zeros. The weights are F32: the margins must be exact.
     */
    private void markerHead(GgufWriter w, String p, int markerId, int flag, int embd, int kvDim) {
        int headDim = embd / heads;
        double normed = Math.sqrt(embd); // a one-hot residual after RMS norm
        float query = (float) (40.0 * Math.sqrt(headDim) / normed);
        w.addTensor(p + "attn_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
        w.addTensor(p + "attn_q.weight", dims(embd, embd), GgmlType.F32, sparse(embd, embd, new int[0][]));
        w.addTensor(p + "attn_k.weight", dims(embd, kvDim), GgmlType.F32, sparse(embd, kvDim, new int[][] {{headDim - 1, markerId}}));
        w.addTensor(p + "attn_v.weight", dims(embd, kvDim), GgmlType.F32, sparse(embd, kvDim, new int[][] {{0, markerId}}));
        if (arch.qkvBias) {
            float[] qBias = new float[embd];
            qBias[headDim - 1] = query;
            w.addTensor(p + "attn_q.bias", dims(embd), GgmlType.F32, out -> GgmlType.F32.encode(qBias, out));
            w.addTensor(p + "attn_k.bias", dims(kvDim), GgmlType.F32, constant(kvDim, 0f));
            w.addTensor(p + "attn_v.bias", dims(kvDim), GgmlType.F32, constant(kvDim, 0f));
        } else {
            throw new IllegalStateException("a marker needs an architecture with attention biases (qwen2)");
        }
        float[][] o = new float[embd][embd];
        o[flag][0] = (float) (1.0 / normed);
        w.addTensor(p + "attn_output.weight", dims(embd, embd), GgmlType.F32, out -> {
            for (float[] row : o) GgmlType.F32.encode(row, out);
        });
        w.addTensor(p + "ffn_norm.weight", dims(embd), GgmlType.F32, constant(embd, 1f));
        w.addTensor(p + "ffn_gate.weight", dims(embd, ffn), type, linear(p + "gate", embd, ffn));
        w.addTensor(p + "ffn_up.weight", dims(embd, ffn), type, linear(p + "up", embd, ffn));
        w.addTensor(p + "ffn_down.weight", dims(ffn, embd), type, zeros(ffn, embd));
    }

    /** {@code rows} rows of {@code cols} F32 zeros, with 1 at each {row, col} pair of {@code ones}. */
    private static GgufWriter.TensorData sparse(int cols, int rows, int[][] ones) {
        return out -> {
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(row, 0f);
                for (int[] one : ones) if (one[0] == r) row[one[1]] = 1f;
                GgmlType.F32.encode(row, out);
            }
        };
    }

    private GgufWriter.TensorData oneHot(int embd, int nVocab) {
        return out -> {
            float[] row = new float[embd];
            for (int t = 0; t < nVocab; t++) {
                java.util.Arrays.fill(row, 0f);
                row[t] = 1f;
                type.encode(row, out);
            }
        };
    }

    private GgufWriter.TensorData zeros(int cols, int rows) {
        return out -> {
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) type.encode(row, out);
        };
    }

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
