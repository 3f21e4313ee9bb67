package dev.tailgate.local.engine.llama;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.args.PoolingType;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * Embeddings from a GGUF model through llama.cpp (embedding mode), one input at a time.
 *
 * <p>Pooling: the file's {@code <arch>.pooling_type} when it is CLS or LAST, otherwise LAST (the usual choice for
 * decoder embedding models such as gte-Qwen2). MEAN is never passed: it aborts the process in this llama.cpp build.
 * llama.cpp L2-normalises pooled vectors. Empty inputs and inputs longer than the context are refused (400) rather
 * than handed to llama.cpp, which aborts on an empty prompt.
 */
public final class LlamaEmbeddingEngine extends ThreadedEngine {
    private final ModelSpec spec;
    private final LlamaModel model;
    private final PoolingType pooling;
    private final long memoryEstimate;

    private LlamaEmbeddingEngine(ModelSpec spec, LlamaModel model, PoolingType pooling, long memoryEstimate) {
        super("llama-embed-" + spec.id(), 1);
        this.spec = spec;
        this.model = model;
        this.pooling = pooling;
        this.memoryEstimate = memoryEstimate;
    }

    public static LlamaEmbeddingEngine load(ModelSpec configured) throws EngineException {
        GgufHeader header = GgufModels.check(configured);
        PoolingType pooling = pooling(header);
        // One input at a time: embeddings are short prompt passes, there is nothing to interleave.
        ModelSpec spec = new ModelSpec(configured.id(), configured.capability(), configured.engine(), configured.file(),
                configured.context(), configured.threads(), 1);
        LlamaModel model = GgufModels.open(spec, p -> p.enableEmbedding().setPoolingType(pooling)
                .setBatchSize(GgufModels.context(spec)).setUbatchSize(GgufModels.context(spec)));
        return new LlamaEmbeddingEngine(spec, model, pooling, LlamaMemoryEstimate.bytes(spec));
    }

    /** GGUF pooling_type: 0 none, 1 mean, 2 cls, 3 last, 4 rank. */
    static PoolingType pooling(GgufHeader header) {
        Object declared = header.metadata().get(header.architecture() + ".pooling_type");
        long type = declared instanceof Number n ? n.longValue() : -1;
        return type == 2 ? PoolingType.CLS : PoolingType.LAST;
    }

    public PoolingType pooling() {
        return pooling;
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Embed embed)) {
            job.fail(Kind.BAD_REQUEST, "model '" + spec.id() + "' serves embeddings only");
            return;
        }
        List<String> inputs = embed.inputs();
        if (inputs == null || inputs.isEmpty()) {
            job.fail(Kind.BAD_REQUEST, "'input' must not be empty");
            return;
        }
        int context = GgufModels.context(spec);
        int tokens = 0;
        List<float[]> vectors = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            if (job.cancelled()) {
                job.fail(Kind.CANCELLED, "cancelled");
                return;
            }
            String text = inputs.get(i);
            int n = text.isEmpty() ? 0 : model.encode(text).length;
            if (n == 0) {
                job.fail(Kind.BAD_REQUEST, "input[" + i + "] is empty");
                return;
            }
            if (n >= context) {
                job.fail(Kind.BAD_REQUEST, "input[" + i + "] is " + n + " tokens; this model's context is " + context + " tokens");
                return;
            }
            tokens += n;
            vectors.add(model.embed(text));
        }
        job.embeddings(vectors);
        job.complete(new JobListener.Usage(tokens, 0), "stop");
    }

    @Override
    public long memoryBytes() {
        return memoryEstimate;
    }

    @Override
    protected void release() {
        model.close();
    }
}
