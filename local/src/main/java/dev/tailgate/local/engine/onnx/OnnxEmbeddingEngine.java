package dev.tailgate.local.engine.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings with ONNX Runtime: all-MiniLM-L6-v2 (384 dimensions) shipped inside the application, tokenized
 * by the Hugging Face tokenizer (DJL), mean-pooled over the attention mask and L2-normalised — the same vectors as
 * sentence-transformers. Inputs longer than {@value #MAX_TOKENS} tokens are truncated (the model's training length).
 */
public final class OnnxEmbeddingEngine extends ThreadedEngine {
    public static final int DIMENSIONS = 384;
    public static final int MAX_TOKENS = 256;
    public static final int MAX_INPUTS = 2048;
    static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final int BATCH = 16;
    /** Measured RSS of a loaded session is ~250 MB; used until the worker reports real numbers. */
    public static final long MEMORY_ESTIMATE = 300L << 20;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean wantsTokenTypes;

    private OnnxEmbeddingEngine(String id, OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer) {
        super("onnx-" + id, 1);
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.wantsTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /** Loads the built-in all-MiniLM-L6-v2 (the spec's file, if any, replaces the built-in ONNX model). */
    public static OnnxEmbeddingEngine load(ModelSpec spec) throws EngineException {
        try {
            Path model = spec.file() != null ? spec.file() : unpack(MODEL_RESOURCE, "all-minilm-l6-v2.onnx");
            Map<String, String> options = new HashMap<>();
            options.put("truncation", "true");
            options.put("padding", "false");
            options.put("maxLength", String.valueOf(MAX_TOKENS));
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = resource(TOKENIZER_RESOURCE)) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, options);
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(spec.threads() > 0 ? spec.threads() : 1);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // ONNX Runtime's CPU arena keeps the peak of every batch's buffers for good; without it the worker's
            // resident memory returns to the weights plus the runtime after each request
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
            OrtSession session = env.createSession(model.toString(), so);
            return new OnnxEmbeddingEngine(spec.id(), env, session, tokenizer);
        } catch (IOException | OrtException | RuntimeException e) {
            throw new EngineException("cannot load embeddings model '" + spec.id() + "': " + e.getMessage(), e);
        }
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Embed embed)) {
            job.fail(Kind.BAD_REQUEST, "this model serves embeddings only");
            return;
        }
        List<String> inputs = embed.inputs();
        if (inputs == null || inputs.isEmpty()) {
            job.fail(Kind.BAD_REQUEST, "'input' must not be empty");
            return;
        }
        if (inputs.size() > MAX_INPUTS) {
            job.fail(Kind.BAD_REQUEST, "'input' takes at most " + MAX_INPUTS + " items");
            return;
        }
        List<float[]> vectors = new ArrayList<>(inputs.size());
        int tokens = 0;
        try {
            for (int from = 0; from < inputs.size(); from += BATCH) {
                if (job.cancelled()) {
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                List<String> batch = inputs.subList(from, Math.min(inputs.size(), from + BATCH));
                Encoding[] enc = new Encoding[batch.size()];
                for (int i = 0; i < enc.length; i++) {
                    enc[i] = tokenizer.encode(batch.get(i));
                    tokens += enc[i].getIds().length;
                }
                vectors.addAll(embedBatch(enc));
            }
        } catch (OrtException e) {
            job.fail(Kind.ENGINE_ERROR, "ONNX Runtime failed: " + e.getMessage());
            return;
        }
        job.embeddings(vectors);
        job.complete(new JobListener.Usage(tokens, 0), "stop");
    }

    /** One forward pass over a padded batch, then mean pooling over real tokens and L2 normalisation. */
    private List<float[]> embedBatch(Encoding[] enc) throws OrtException {
        int n = enc.length;
        int len = 0;
        for (Encoding e : enc) len = Math.max(len, e.getIds().length);
        long[][] ids = new long[n][len];
        long[][] mask = new long[n][len];
        long[][] types = new long[n][len];
        for (int i = 0; i < n; i++) {
            long[] id = enc[i].getIds();
            long[] m = enc[i].getAttentionMask();
            long[] t = enc[i].getTypeIds();
            System.arraycopy(id, 0, ids[i], 0, id.length);
            System.arraycopy(m, 0, mask[i], 0, m.length);
            System.arraycopy(t, 0, types[i], 0, t.length);
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, ids));
            in.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (wantsTokenTypes) in.put("token_type_ids", OnnxTensor.createTensor(env, types));
            try (OrtSession.Result result = session.run(in)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                List<float[]> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) out.add(meanPoolNormalised(hidden[i], mask[i]));
                return out;
            }
        } finally {
            for (OnnxTensor t : in.values()) t.close();
        }
    }

    static float[] meanPoolNormalised(float[][] hidden, long[] mask) {
        int dims = hidden[0].length;
        float[] sum = new float[dims];
        int count = 0;
        for (int t = 0; t < hidden.length; t++) {
            if (mask[t] == 0) continue;
            count++;
            for (int d = 0; d < dims; d++) sum[d] += hidden[t][d];
        }
        double norm = 0;
        for (int d = 0; d < dims; d++) {
            sum[d] /= Math.max(count, 1);
            norm += (double) sum[d] * sum[d];
        }
        float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < dims; d++) sum[d] *= inv;
        return sum;
    }

    @Override
    public long memoryBytes() {
        return MEMORY_ESTIMATE;
    }

    @Override
    protected void release() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing anyway
        }
        tokenizer.close();
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxEmbeddingEngine.class.getResourceAsStream(name);
        if (in == null) throw new IOException("the built-in model resource " + name + " is missing from the classpath");
        return in;
    }

    /** Bytes of the model's weights: its file, or the built-in model's. */
    public static long weightsBytes(ModelSpec spec) {
        try {
            return spec.file() != null ? Files.size(spec.file()) : resourceSize(MODEL_RESOURCE);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long resourceSize(String name) throws IOException {
        java.net.URL url = OnnxEmbeddingEngine.class.getResource(name);
        if (url == null) throw new IOException("the built-in model resource " + name + " is missing from the classpath");
        return url.openConnection().getContentLengthLong();
    }

    /**
     * ONNX Runtime loads models from files: unpack the 90 MB resource once, keyed by its size. Streamed to disk, never
     * held on the heap: a 90 MB array would stay in the worker's resident memory as garbage.
     */
    private static Path unpack(String resource, String fileName) throws IOException {
        Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "tailgate-natives", "models"));
        Path target = dir.resolve(fileName);
        long size = resourceSize(resource);
        if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) return target;
        Path tmp = Files.createTempFile(dir, "unpack", ".tmp");
        try (InputStream in = resource(resource)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
