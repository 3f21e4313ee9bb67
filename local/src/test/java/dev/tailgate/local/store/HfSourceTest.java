package dev.tailgate.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HfSourceTest {
    @Test
    void parsesOwnerRepoFileWithDefaultRevision() {
        HfSource s = HfSource.parse("hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");

        assertThat(s.repoId()).isEqualTo("Qwen/Qwen2.5-0.5B-Instruct-GGUF");
        assertThat(s.revision()).isEqualTo("main");
        assertThat(s.resolveUrl(URI.create("https://huggingface.co")))
                .hasToString("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf");
    }

    @Test
    void parsesRevisionAndNestedPaths() {
        HfSource s = HfSource.parse("hf://onnx-community/Kokoro-82M-v1.0-ONNX@1939ad2a/onnx/model_quantized.onnx");

        assertThat(s.revision()).isEqualTo("1939ad2a");
        assertThat(s.file()).isEqualTo("onnx/model_quantized.onnx");
        assertThat(s.fileName()).isEqualTo("model_quantized.onnx");
        assertThat(s.resolveUrl(URI.create("http://127.0.0.1:9/mirror/")))
                .hasToString("http://127.0.0.1:9/mirror/onnx-community/Kokoro-82M-v1.0-ONNX/resolve/1939ad2a/onnx/model_quantized.onnx");
        assertThat(s).hasToString("hf://onnx-community/Kokoro-82M-v1.0-ONNX@1939ad2a/onnx/model_quantized.onnx");
    }

    @Test
    void encodesUnsafeCharacters() {
        HfSource s = HfSource.parse("hf://a/b@refs%2Fpr%2F1/my file.bin");
        assertThat(s.revision()).isEqualTo("refs/pr/1");
        assertThat(s.resolveUrl(URI.create("https://huggingface.co")).toString()).endsWith("/a/b/resolve/refs%2Fpr%2F1/my%20file.bin");
        assertThat(s).hasToString("hf://a/b@refs%2Fpr%2F1/my file.bin");
    }

    @Test
    void rejectsMalformedSources() {
        assertThatThrownBy(() -> HfSource.parse("hf://Qwen/only-repo")).hasMessageContaining("hf://OWNER/REPO/FILE");
        assertThatThrownBy(() -> HfSource.parse("https://huggingface.co/a/b/c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HfSource.parse("hf://a/b/../../etc/passwd")).hasMessageContaining("not a file path");
        assertThatThrownBy(() -> HfSource.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void etagsAreNormalisedAndClassified() {
        String sha = "a".repeat(64);
        assertThat(ExpectedChecksum.fromEtag("\"" + sha + "\"")).contains(new ExpectedChecksum(ExpectedChecksum.Algorithm.SHA256, sha));
        assertThat(ExpectedChecksum.fromEtag("W/\"" + "B".repeat(40) + "\""))
                .contains(new ExpectedChecksum(ExpectedChecksum.Algorithm.GIT_BLOB_SHA1, "b".repeat(40)));
        assertThat(ExpectedChecksum.fromEtag("\"abc-123\"")).isEmpty();
        assertThat(ExpectedChecksum.fromEtag(null)).isEmpty();
    }
}
