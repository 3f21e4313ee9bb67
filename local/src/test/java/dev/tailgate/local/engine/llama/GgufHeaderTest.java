package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.testing.gguf.SyntheticGguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GgufHeaderTest {
    @TempDir Path dir;

    @Test
    void readsScalarMetadataAndSkipsArrays() throws Exception {
        GgufHeader h = GgufHeader.read(SyntheticGguf.tiny().write(dir.resolve("t.gguf")));
        assertThat(h.version()).isEqualTo(3);
        assertThat(h.architecture()).isEqualTo("qwen2");
        assertThat(h.metadata().get("qwen2.block_count")).isEqualTo(2L);
        assertThat(h.string("tokenizer.chat_template")).contains("<|im_start|>");
        assertThat(h.metadata()).doesNotContainKey("tokenizer.ggml.tokens");
    }

    @Test
    void truncatedAndForeignFilesAreRefusedWithReasons() throws Exception {
        Path good = SyntheticGguf.tiny().write(dir.resolve("t.gguf"));
        Path cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(Files.readAllBytes(good), 200));
        assertThatThrownBy(() -> GgufHeader.read(cut)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
        Path zip = Files.write(dir.resolve("z.gguf"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        assertThatThrownBy(() -> GgufHeader.read(zip)).isInstanceOf(IOException.class).hasMessageContaining("not a GGUF");
    }

    @Test
    void memoryEstimateCountsFileAndKvCache() throws Exception {
        Path f = SyntheticGguf.tiny().write(dir.resolve("t.gguf"));
        var small = new dev.tailgate.local.engine.ModelSpec("t", dev.tailgate.local.engine.ModelSpec.Capability.CHAT, "llama.cpp", f, 1024, 1);
        var big = new dev.tailgate.local.engine.ModelSpec("t", dev.tailgate.local.engine.ModelSpec.Capability.CHAT, "llama.cpp", f, 4096, 1);
        assertThat(LlamaMemoryEstimate.bytes(small)).isGreaterThan(Files.size(f));
        // KV: 2 (K,V) x 2 layers x ctx x 32 (kv dim) x 2 bytes
        assertThat(LlamaMemoryEstimate.bytes(big) - LlamaMemoryEstimate.bytes(small)).isEqualTo(2L * 2 * 3072 * 32 * 2);
    }
}
