package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.ledger.Ledger;
import dev.tailgate.gateway.ledger.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 3: text the CLI prints from the ledger, a service's /status or the clients file cannot send ANSI
 * escapes to the operator's terminal nor forge a line: control characters come out escaped.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlCharactersInCliOutputTest {
    static final String FORGED = "evil\u001b[31mRED\u001b[0m\nforged line\u0007";

    @TempDir
    Path tmp;

    static void assertNoControlCharacters(String out) {
        assertThat(out.chars().filter(c -> c < 0x20 && c != '\n' || c == 0x7f).count()).as(out).isZero();
        assertThat(out.lines()).noneMatch(l -> l.startsWith("forged"));
    }

    @Test
    void usageEscapesAModelNameFromTheLedger() throws Exception {
        Path file = tmp.resolve("usage.db");
        try (Ledger l = Ledger.open(file, 10)) {
            l.append(new UsageRecord("a", Instant.now(), "laptop", FORGED, "p", "m", 1, 1, 0, 1, null, 404, null, false))
                    .get(5, TimeUnit.SECONDS);
        }
        CliRun r = CliRun.of("usage", "--ledger", file.toString(), "--by", "model");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("evil\\x1b[31mRED");
        assertNoControlCharacters(r.out());
    }

    @Test
    void statusEscapesWhatTheServicesReport() throws Exception {
        try (StubServer local = new StubServer(); StubServer gw = new StubServer()) {
            String name = "m\\u001b[31mred\\nforged line";
            gw.json("/status", 200, "{\"status\":\"ok\\u001b[2J\",\"providers\":[{\"name\":\"" + name + "\",\"local\":false,"
                    + "\"state\":\"healthy\",\"last_error\":\"" + name + "\"}],\"models\":[{\"id\":\"" + name + "\"}]}");
            local.json("/status", 200, "{\"status\":\"ok\",\"models\":[{\"id\":\"" + name + "\",\"state\":\"x\\u0007\"}]}");
            CliRun r = CliRun.of("status", "--url", gw.url(), "--local-url", local.url());
            assertThat(r.out()).contains("m\\x1b[31mred forged line");
            assertNoControlCharacters(r.out());
        }
    }

    @Test
    void keysListEscapesAHandEditedClientsFile() throws Exception {
        Path clients = tmp.resolve("clients.yaml");
        Files.writeString(clients, "clients:\n  laptop: {key_sha256: \"00\", models: [\"qwen\\e[31m\\nforged line\"]}\n");
        CliRun r = CliRun.of("keys", "list", "--clients", clients.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("qwen\\x1b[31m forged line");
        assertNoControlCharacters(r.out());
    }
}
