package dev.tailgate.local.engine.llama;

import dev.tailgate.local.engine.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;

/** Resident bytes of a loaded GGUF before it is loaded: weights (file size) + KV cache (f16) + compute buffers. */
public final class LlamaMemoryEstimate {
    private static final long COMPUTE_OVERHEAD = 96L << 20;

    private LlamaMemoryEstimate() {}

    public static long bytes(ModelSpec spec) {
        if (spec.file() == null) return COMPUTE_OVERHEAD;
        long file;
        try {
            file = Files.size(spec.file());
        } catch (IOException e) {
            return COMPUTE_OVERHEAD;
        }
        long kv = 0;
        try {
            GgufHeader h = GgufHeader.read(spec.file());
            String a = h.architecture();
            long layers = num(h, a + ".block_count");
            long embd = num(h, a + ".embedding_length");
            long heads = num(h, a + ".attention.head_count");
            long kvHeads = num(h, a + ".attention.head_count_kv");
            if (kvHeads == 0) kvHeads = heads;
            if (layers > 0 && embd > 0 && heads > 0) {
                long kvDim = embd / heads * kvHeads;
                kv = 2L /* K and V */ * layers * Math.max(spec.context(), 512) * spec.parallel() * kvDim * 2 /* f16 */;
            }
        } catch (IOException ignored) {
            // unreadable header: the load will say why; the estimate falls back to the file size
        }
        return file + kv + COMPUTE_OVERHEAD;
    }

    private static long num(GgufHeader h, String key) {
        return h.metadata().get(key) instanceof Number n ? n.longValue() : 0;
    }
}
