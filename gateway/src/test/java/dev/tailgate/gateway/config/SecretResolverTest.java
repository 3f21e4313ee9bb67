package dev.tailgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecretResolverTest {
    @TempDir
    Path dir;

    private final SecretResolver r = new SecretResolver(Map.of("A", " sk-a \n", "EMPTY", ""));

    @Test
    void envAndFileReferencesResolveAndLiteralsAreRefused() throws Exception {
        assertThat(r.resolve("env:A", dir).reveal()).isEqualTo("sk-a");
        assertThat(r.resolve("env:A", dir).source()).isEqualTo("env:A");
        Files.writeString(dir.resolve("k"), "sk-file\n");
        assertThat(r.resolve("file:k", dir).reveal()).isEqualTo("sk-file");
        assertThatThrownBy(() -> r.resolve("sk-literal", dir)).hasMessageContaining("env:NAME or file:PATH").hasMessageNotContaining("sk-literal");
    }

    @Test
    void failuresNameTheReferenceNeverAValue() {
        assertThatThrownBy(() -> r.resolve("env:MISSING", dir)).hasMessageContaining("MISSING is not set");
        assertThatThrownBy(() -> r.resolve("env:EMPTY", dir)).hasMessageContaining("EMPTY is not set");
        assertThatThrownBy(() -> r.resolve("file:nope", dir)).hasMessageContaining("cannot read secret file");
        assertThatThrownBy(() -> r.resolve("env:", dir)).hasMessageContaining("needs a variable name");
    }

    @Test
    void secretToStringIsMasked() {
        Secret s = r.resolve("env:A", dir);
        assertThat(s.toString()).doesNotContain("sk-a").contains("env:A");
    }
}
