package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code --home DIR} printed commands carry: only for a home other than the default, quoted for a POSIX shell. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HomeFlagTest {
    static final String USER_HOME = "/home/ann";

    @Test
    void theDefaultHomeNeedsNoFlagAnyOtherDoes() {
        assertThat(HomeFlag.of(Path.of("/home/ann/.tailgate"), USER_HOME)).isEmpty();
        assertThat(HomeFlag.of(Path.of("/home/ann/./.tailgate/"), USER_HOME)).isEmpty();
        assertThat(HomeFlag.of(Path.of("/home/ann/tg-b"), USER_HOME)).isEqualTo(" --home /home/ann/tg-b");
        assertThat(HomeFlag.of(Path.of("/home/bob/.tailgate"), USER_HOME)).isEqualTo(" --home /home/bob/.tailgate");
    }

    @Test
    void aFolderWithSpacesOrQuotesIsOneShellWord() {
        assertThat(HomeFlag.of(Path.of("/home/ann/My Models"), USER_HOME)).isEqualTo(" --home '/home/ann/My Models'");
        assertThat(HomeFlag.shellWord("/srv/ann's tg")).isEqualTo("'/srv/ann'\\''s tg'");
        assertThat(HomeFlag.shellWord("/srv/$HOME/~x")).isEqualTo("'/srv/$HOME/~x'");
        assertThat(HomeFlag.shellWord("/srv/tg_1.0/a-b")).isEqualTo("/srv/tg_1.0/a-b");
    }

    @Test
    void pullCommandsInAReasonGetTheFlagOnce() {
        String flag = " --home /srv/tg";
        assertThat(HomeFlag.completePullCommands("model file q.gguf is missing — run: tailgate models pull qwen2.5-0.5b-instruct", flag))
                .isEqualTo("model file q.gguf is missing — run: tailgate models pull qwen2.5-0.5b-instruct --home /srv/tg");
        assertThat(HomeFlag.completePullCommands("failed (retry: tailgate models pull whisper-base.en).", flag))
                .isEqualTo("failed (retry: tailgate models pull whisper-base.en --home /srv/tg).");
        assertThat(HomeFlag.completePullCommands("run: tailgate models pull x --home /srv/tg", flag))
                .isEqualTo("run: tailgate models pull x --home /srv/tg");
        assertThat(HomeFlag.completePullCommands("run: tailgate models pull x", "")).isEqualTo("run: tailgate models pull x");
        assertThat(HomeFlag.completePullCommands("loading", flag)).isEqualTo("loading");
        assertThat(HomeFlag.completePullCommands(null, flag)).isNull();
    }
}
