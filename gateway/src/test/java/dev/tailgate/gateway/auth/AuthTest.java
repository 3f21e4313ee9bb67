package dev.tailgate.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.config.ClientConfig;
import dev.tailgate.gateway.config.ConfigLoader;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthTest {

    @Test
    void globsMatchStarAndQuestionMark() {
        assertThat(Glob.matches("*", "anything")).isTrue();
        assertThat(Glob.matches("qwen*", "qwen2.5")).isTrue();
        assertThat(Glob.matches("qwen*", "llama")).isFalse();
        assertThat(Glob.matches("*-mini", "gpt-4o-mini")).isTrue();
        assertThat(Glob.matches("m?", "m1")).isTrue();
        assertThat(Glob.matches("m?", "m12")).isFalse();
        assertThat(Glob.matches("exact", "exact")).isTrue();
    }

    @Test
    void keysAreMatchedByHashFromEitherHeader() {
        Authenticator a = new Authenticator(Map.of(
                "a", new ClientConfig("a", ConfigLoader.sha256("key-a"), null, false, List.of("*"), false),
                "b", new ClientConfig("b", ConfigLoader.sha256("key-b"), null, true, List.of("qwen*"), false),
                "off", new ClientConfig("off", null, "key env X is not set", false, List.of("*"), false)));
        assertThat(a.authenticate("key-a").name()).isEqualTo("a");
        assertThat(a.authenticate("key-b").privateOnly()).isTrue();
        assertThat(a.authenticate("key-c")).isNull();
        assertThat(a.authenticate("")).isNull();
        assertThat(a.authenticate(null)).isNull();
        assertThat(Authenticator.presentedKey(MultiMap.caseInsensitiveMultiMap().add("authorization", "bearer  key-a "))).isEqualTo("key-a");
        assertThat(Authenticator.presentedKey(MultiMap.caseInsensitiveMultiMap().add("api-key", "key-b"))).isEqualTo("key-b");
        assertThat(Authenticator.presentedKey(MultiMap.caseInsensitiveMultiMap().add("Authorization", "Basic abc"))).isNull();
    }
}
