package dev.tailgate.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ModelStoreTest {
    @TempDir
    Path home;

    private StoreConfig config(String yaml) throws Exception {
        if (yaml != null) Files.writeString(home.resolve("local.yaml"), yaml);
        return StoreConfig.load(home, null, Env.of(Map.of(), home.resolve("user")));
    }

    @Test
    void withoutConfigModelsLiveInHomeModels() throws Exception {
        assertThat(config(null).modelsDir()).isEqualTo(home.resolve("models"));
    }

    @Test
    void readsModelsDirAndModelsFromLocalYaml() throws Exception {
        StoreConfig c = config("""
                listen: 127.0.0.1:8081
                models_dir: ~/weights
                memory_budget: 12GiB
                models:
                  chat:
                    capability: chat
                    file: mine.gguf
                    source: hf://Me/Repo/mine.gguf
                  all-minilm-l6-v2:
                    capability: embeddings
                    engine: onnx
                """);

        assertThat(c.modelsDir()).isEqualTo(home.resolve("user/weights"));
        assertThat(c.models().get("chat").file()).isEqualTo(home.resolve("user/weights/mine.gguf"));
        assertThat(c.models().get("chat").source()).isEqualTo("hf://Me/Repo/mine.gguf");
        assertThat(c.models().get("all-minilm-l6-v2").file()).isNull();
    }

    @Test
    void modelsDirOverrideAndTailgateHome() throws Exception {
        config("models_dir: /elsewhere\n");
        assertThat(StoreConfig.load(home, home.resolve("cli"), Env.of(Map.of(), home)).modelsDir()).isEqualTo(home.resolve("cli"));
        assertThat(StoreConfig.defaultHome(Env.of(Map.of("TAILGATE_HOME", "/srv/tg"), home))).isEqualTo(Path.of("/srv/tg"));
        assertThat(StoreConfig.defaultHome(Env.of(Map.of(), home))).isEqualTo(home.resolve(".tailgate"));
    }

    @Test
    void brokenYamlNamesTheFileAndLine() throws Exception {
        Files.writeString(home.resolve("local.yaml"), "models:\n  a: [unclosed\n");
        assertThatThrownBy(() -> StoreConfig.load(home, null, Env.of(Map.of(), home)))
                .hasMessageContaining("local.yaml").hasMessageContaining("line");
    }

    @Test
    void plansCatalogConfigAndDirectSources() throws Exception {
        ModelStore store = new ModelStore(config("""
                models:
                  qwen2.5-0.5b-instruct:
                    file: custom-name.gguf
                  private-model:
                    source: hf://Me/Private/weights.gguf
                """));
        Path dir = store.modelsDir();

        assertThat(store.plan("qwen2.5-1.5b-instruct")).containsExactly(new ModelStore.Planned(
                HfSource.parse("hf://Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf"), dir.resolve("qwen2.5-1.5b-instruct-q4_k_m.gguf")));
        assertThat(store.plan("qwen2.5-0.5b-instruct")).extracting(ModelStore.Planned::target).containsExactly(dir.resolve("custom-name.gguf"));
        assertThat(store.plan("private-model")).containsExactly(new ModelStore.Planned(HfSource.parse("hf://Me/Private/weights.gguf"), dir.resolve("weights.gguf")));
        assertThat(store.plan("whisper-base.en")).extracting(p -> p.source().toString()).containsExactly("hf://ggerganov/whisper.cpp/ggml-base.en.bin");
        assertThat(store.plan("kokoro")).extracting(p -> p.target().getFileName().toString())
                .containsExactly("kokoro-v1.0-q8.onnx", "kokoro-voice-af_heart.bin", "kokoro-tokenizer.json");
        assertThat(store.plan("piper-en_US-lessac-medium")).extracting(p -> p.source().toString()).containsExactly(
                "hf://rhasspy/piper-voices/en/en_US/lessac/medium/en_US-lessac-medium.onnx",
                "hf://rhasspy/piper-voices/en/en_US/lessac/medium/en_US-lessac-medium.onnx.json");
        assertThat(store.plan("hf://a/b@v1/dir/x.bin")).extracting(ModelStore.Planned::target).containsExactly(dir.resolve("x.bin"));
        assertThatThrownBy(() -> store.plan("gpt-5")).isInstanceOf(PullException.class)
                .hasMessageContaining("unknown model 'gpt-5'").hasMessageContaining("qwen2.5-0.5b-instruct");
    }

    @Test
    void listShowsSizeChecksumUsersAndPartials() throws Exception {
        ModelStore store = new ModelStore(config("""
                models:
                  chat:
                    file: a.gguf
                  chat-copy:
                    file: a.gguf
                  speech:
                    file: voice.onnx
                """));
        Files.createDirectories(store.modelsDir());
        Files.writeString(store.modelsDir().resolve("a.gguf"), "abc");
        Files.writeString(store.modelsDir().resolve("b.gguf.partial"), "12345");
        Files.writeString(store.modelsDir().resolve("b.gguf.lock"), "");
        Files.writeString(store.modelsDir().resolve(".hidden"), "x");

        List<ModelStore.StoredFile> files = store.list();

        assertThat(files).hasSize(2);
        ModelStore.StoredFile a = files.get(0);
        assertThat(a.file().getFileName()).hasToString("a.gguf");
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(a.usedBy()).containsExactly("chat", "chat-copy");
        assertThat(ChecksumSidecar.sidecarFor(a.file())).exists(); // computed once, then cached
        assertThat(files.get(1).partial()).isTrue();
        assertThat(files.get(1).size()).isEqualTo(5);
        assertThat(store.missing()).extracting(StoreConfig.ConfiguredModel::name).containsExactly("speech");
    }

    @Test
    void staleSidecarIsRecomputed() throws Exception {
        ModelStore store = new ModelStore(config(null));
        Path f = store.modelsDir().resolve("x.bin");
        Files.createDirectories(store.modelsDir());
        Files.writeString(f, "abc");
        Files.writeString(ChecksumSidecar.sidecarFor(f), "0".repeat(64) + "  x.bin\n");
        Files.setLastModifiedTime(ChecksumSidecar.sidecarFor(f), java.nio.file.attribute.FileTime.fromMillis(0));

        assertThat(store.list().getFirst().sha256()).startsWith("ba7816bf");
    }

    @Test
    void removeDeletesFileSidecarAndPartial() throws Exception {
        ModelStore store = new ModelStore(config(null));
        Path dir = store.modelsDir();
        Files.createDirectories(dir);
        Path model = dir.resolve("qwen2.5-0.5b-instruct-q4_k_m.gguf");
        Files.writeString(model, "weights");
        Files.writeString(ChecksumSidecar.sidecarFor(model), "x");
        Files.writeString(ModelPuller.partialFor(model), "pp");
        Path other = dir.resolve("other.bin");
        Files.writeString(other, "keep");

        List<ModelStore.Removed> removed = store.remove("qwen2.5-0.5b-instruct");

        assertThat(removed).singleElement().satisfies(r -> assertThat(r.bytes()).isEqualTo(9));
        assertThat(model).doesNotExist();
        assertThat(ChecksumSidecar.sidecarFor(model)).doesNotExist();
        assertThat(ModelPuller.partialFor(model)).doesNotExist();
        assertThat(other).exists();

        assertThat(store.remove("other.bin")).singleElement().satisfies(r -> assertThat(r.file()).isEqualTo(other));
        assertThat(other).doesNotExist();
    }

    @Test
    void removeRefusesUnknownNamesPathsAndFilesBeingPulled() throws Exception {
        ModelStore store = new ModelStore(config(null));
        Files.createDirectories(store.modelsDir());
        Files.writeString(home.resolve("local.yaml.bak"), "x");

        assertThatThrownBy(() -> store.remove("nothing")).hasMessageContaining("nothing to remove");
        assertThatThrownBy(() -> store.remove("qwen2.5-3b-instruct")).hasMessageContaining("is not downloaded");
        assertThatThrownBy(() -> store.remove("../local.yaml.bak")).hasMessageContaining("nothing to remove");
        assertThat(home.resolve("local.yaml.bak")).exists();

        Path busy = store.modelsDir().resolve("busy.bin");
        Files.writeString(busy, "x");
        try (PullLock held = PullLock.acquire(busy)) {
            assertThatThrownBy(() -> store.remove("busy.bin")).hasMessageContaining("another pull");
        }
        assertThat(busy).exists();
    }
}
