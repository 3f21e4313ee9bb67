package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CliParsingTest {
    @TempDir
    Path tmp;

    @Test
    void versionPrintsTheProjectVersionAndExitsZero() {
        CliRun r = CliRun.of("--version");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("tailgate ").doesNotContain("unknown").contains("Java " + Runtime.version().feature());
    }

    @Test
    void helpListsEveryCommand() {
        CliRun r = CliRun.of("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("up", "gateway", "local", "models", "keys", "status", "doctor");
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun r = CliRun.of();
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Missing a command");
    }

    @Test
    void unknownCommandIsAUsageErrorWithASuggestion() {
        CliRun r = CliRun.of("stauts");
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("Unmatched argument").contains("status");
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        assertThat(CliRun.of("gateway").code()).isEqualTo(Main.USAGE);
        assertThat(CliRun.of("local", "--port", "x", "--config", "a.yaml").code()).isEqualTo(Main.USAGE);
        assertThat(CliRun.of("keys", "create").code()).isEqualTo(Main.USAGE);
        assertThat(CliRun.of("keys").code()).isEqualTo(Main.USAGE);
    }

    @Test
    void missingConfigFileIsOneClearLineAndExitOne() {
        Path missing = tmp.resolve("nope.yaml");
        CliRun r = CliRun.of("gateway", "--config", missing.toString());
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err().strip()).isEqualTo("tailgate: gateway config " + missing + " does not exist");
    }

    @Test
    void statusRejectsANonsenseTimeoutAsUsage() {
        CliRun r = CliRun.of("status", "--timeout", "0");
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--timeout");
    }

    @Test
    void anUnreadableClientsFileIsOneClearLine() {
        Path dir = tmp.resolve("clients.yaml");
        assertThat(dir.toFile().mkdir()).isTrue(); // a directory where a file should be
        CliRun r = CliRun.of("keys", "list", "--clients", dir.toString());
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("tailgate: cannot read clients file " + dir).doesNotContain("\tat ");
    }
}
