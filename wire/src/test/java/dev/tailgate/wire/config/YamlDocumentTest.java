package dev.tailgate.wire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class YamlDocumentTest {

    @Test
    void errorsNameFileLineAndKey() {
        YamlDocument doc = YamlDocument.parse("x.yaml", "a: 1\nmodels:\n  org/m:\n    targets: [p/m, q/n]\n");
        assertThat(doc.at("/models/" + YamlDocument.escape("org/m") + "/targets/1").asText()).isEqualTo("q/n");
        assertThat(doc.error("/models/org~1m/targets/1", "bad").getMessage()).isEqualTo("x.yaml line 4: models.org/m.targets[1]: bad");
        // a key not in the file is reported at its nearest ancestor's line
        assertThat(doc.error("/models/org~1m/fallback", "missing").getMessage()).isEqualTo("x.yaml line 3: models.org/m.fallback: missing");
    }

    @Test
    void aDuplicateKeyIsRefusedWithBothLines() {
        assertThatThrownBy(() -> YamlDocument.parse("local.yaml", "models:\n  qwen:\n    keep_alive: 5m\n    max_queue: 2\n    keep_alive: 10m\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("local.yaml line 5: models.qwen.keep_alive: written twice (lines 3 and 5); keep one");
        assertThatThrownBy(() -> YamlDocument.parse("g.yaml", "listen: a\nproviders: {}\nlisten: b\n"))
                .hasMessageContaining("lines 1 and 3");
        // the same key in two different mappings is fine
        assertThat(YamlDocument.parse("g.yaml", "a: {x: 1}\nb: {x: 2}\n").at("/b/x").asInt()).isEqualTo(2);
    }

    @Test
    void brokenYamlNamesTheLine() {
        assertThatThrownBy(() -> YamlDocument.parse("local.yaml", "models:\n  qwen:\n    capability: chat\n   engine: [\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("local.yaml line ")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void anEmptyFileIsAnEmptyMapping() {
        assertThat(YamlDocument.parse("e.yaml", "").root().isObject()).isTrue();
        assertThat(YamlDocument.parse("e.yaml", "# only a comment\n").root().size()).isZero();
    }
}
