package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.testing.gguf.SyntheticGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code models import FILE}: a GGUF on disk becomes a configured model in both configs, after a header check. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModelsImportTest {
    @TempDir
    Path home;
    @TempDir
    Path elsewhere;

    @BeforeEach
    void defaults() {
        DefaultConfigs.writeMissing(home);
    }

    @Test
    void aGgufBecomesAChatModelInLocalYamlAndARouteInGatewayYamlKeepingTheComments() throws Exception {
        Path gguf = SyntheticGguf.tiny().seed(5).write(elsewhere.resolve("My Tiny Model.gguf"));
        String localBefore = Files.readString(home.resolve("local.yaml"));
        CliRun r = CliRun.of("models", "import", gguf.toString(), "--home", home.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("as chat model 'My-Tiny-Model'").contains("GGUF v3").contains("qwen2");

        LocalConfig local = new ConfigLoader(LocalServer.ENGINES).load(home.resolve("local.yaml"));
        ModelConfig m = local.models().stream().filter(x -> x.id().equals("My-Tiny-Model")).findFirst().orElseThrow();
        assertThat(m.file()).isEqualTo(gguf);
        assertThat(m.capability().wireName()).isEqualTo("chat");
        assertThat(m.missingFileReason()).isNull();
        assertThat(local.models()).hasSize(1 + (int) localBefore.lines().filter(l -> l.matches("  [a-z0-9.-]+:\\s*(#.*)?")).count());
        // every comment of the written default is still there
        String localAfter = Files.readString(home.resolve("local.yaml"));
        localBefore.lines().filter(l -> l.contains("#")).forEach(l -> assertThat(localAfter).contains(l));

        var gateway = ClientsFile.YAML.readTree(home.resolve("gateway.yaml").toFile());
        assertThat(gateway.path("models").path("My-Tiny-Model").path("targets").get(0).asText()).isEqualTo("local/My-Tiny-Model");
        assertThat(gateway.path("models").has("qwen")).isTrue();
        assertThat(Files.readString(home.resolve("gateway.yaml"))).contains("# the model id clients send");
    }

    @Test
    void nameAndCapabilityCanBeGivenAndADuplicateIsRefused() throws Exception {
        Path gguf = SyntheticGguf.tiny().seed(6).write(elsewhere.resolve("e.gguf"));
        CliRun r = CliRun.of("models", "import", gguf.toString(), "--name", "my-embed", "--capability", "embeddings",
                "--home", home.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        LocalConfig local = new ConfigLoader(LocalServer.ENGINES).load(home.resolve("local.yaml"));
        assertThat(local.models().stream().filter(x -> x.id().equals("my-embed")).findFirst().orElseThrow().capability().wireName())
                .isEqualTo("embeddings");

        String before = Files.readString(home.resolve("local.yaml"));
        CliRun again = CliRun.of("models", "import", gguf.toString(), "--name", "my-embed", "--home", home.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("a model 'my-embed' is already in");
        assertThat(Files.readString(home.resolve("local.yaml"))).isEqualTo(before);
    }

    @Test
    void aFileThatIsNotGgufIsRefusedWithAClearMessageAndNothingChanges() throws Exception {
        Path notGguf = Files.writeString(elsewhere.resolve("model.safetensors"), "{\"__metadata__\":{}}");
        String local = Files.readString(home.resolve("local.yaml"));
        String gateway = Files.readString(home.resolve("gateway.yaml"));
        CliRun r = CliRun.of("models", "import", notGguf.toString(), "--home", home.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("model.safetensors is not a GGUF file").contains("models import takes a llama.cpp GGUF");
        assertThat(Files.readString(home.resolve("local.yaml"))).isEqualTo(local);
        assertThat(Files.readString(home.resolve("gateway.yaml"))).isEqualTo(gateway);

        Path tiny = Files.writeString(elsewhere.resolve("tiny.gguf"), "GG"); // shorter than the magic: still not GGUF
        CliRun shortFile = CliRun.of("models", "import", tiny.toString(), "--home", home.toString());
        assertThat(shortFile.code()).isEqualTo(1);
        assertThat(shortFile.err()).contains("tiny.gguf is not a GGUF file");

        CliRun missing = CliRun.of("models", "import", elsewhere.resolve("nope.gguf").toString(), "--home", home.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("model file not found");
    }
}
