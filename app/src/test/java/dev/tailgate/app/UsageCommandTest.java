package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.ledger.Ledger;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UsageCommandTest {
    @TempDir
    Path tmp;

    private void ledgerWithRows(Path file) throws Exception {
        Instant now = Instant.now();
        try (Ledger l = Ledger.open(file, 100)) {
            l.append(new UsageRecord("a", now, "laptop", "qwen", "local", "q", 10, 5, 0, 100, null, 200, null, true)).get(5, TimeUnit.SECONDS);
            l.append(new UsageRecord("b", now, "laptop", "deepseek", "ds", "deepseek-chat", 20, 30, 0.5, 300, 40L, 200, null, false)).get(5, TimeUnit.SECONDS);
            l.append(new UsageRecord("c", now, "ci", "qwen", "local", "q", 1, 0, 0, 10, null, 429, "rate_limited", false)).get(5, TimeUnit.SECONDS);
            l.append(new UsageRecord("old", now.minus(30, ChronoUnit.DAYS), "ci", "qwen", "local", "q", 1000, 1000, 9, 10, null, 200, null, false)).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void groupsByClientOverTheLastSevenDaysByDefault() throws Exception {
        Path file = tmp.resolve("usage.db");
        ledgerWithRows(file);
        CliRun r = CliRun.of("usage", "--ledger", file.toString(), "--by", "client");
        assertThat(r.code()).as(r.toString()).isZero();
        String laptop = r.out().lines().filter(l -> l.startsWith("laptop")).findFirst().orElseThrow();
        assertThat(laptop.trim().split("\\s+")).containsExactly("laptop", "2", "0", "30", "35", "0.5000", "200");
        String ci = r.out().lines().filter(l -> l.startsWith("ci")).findFirst().orElseThrow();
        assertThat(ci.trim().split("\\s+")).as("the 30-day-old row is outside --since 7d").containsExactly("ci", "1", "1", "1", "0", "0.0000", "10");
    }

    @Test
    void sinceAllAndTwoGroupingsAndTheHomesDefaultLedger() throws Exception {
        ledgerWithRows(tmp.resolve("usage.db"));
        CliRun r = CliRun.of("usage", "--home", tmp.toString(), "--since", "all", "--by", "client,model");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("client").contains("model");
        String ciQwen = r.out().lines().filter(l -> l.startsWith("ci")).findFirst().orElseThrow();
        assertThat(ciQwen.trim().split("\\s+")).startsWith("ci", "qwen", "2", "1", "1001", "1000");
    }

    @Test
    void theGatewayConfigsLedgerKeyIsFollowed() throws Exception {
        Files.createDirectories(tmp.resolve("data"));
        ledgerWithRows(tmp.resolve("data/ledger.sqlite"));
        Files.writeString(tmp.resolve("gateway.yaml"), "listen: 127.0.0.1:8080\nledger: data/ledger.sqlite\n");
        CliRun r = CliRun.of("usage", "--home", tmp.toString(), "--by", "model");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("ledger.sqlite").contains("deepseek");
    }

    @Test
    void badInputIsAUsageErrorAndAMissingLedgerIsAClearFailure() {
        CliRun bad = CliRun.of("usage", "--ledger", tmp.resolve("x.db").toString(), "--by", "colour");
        assertThat(bad.code()).isEqualTo(Main.USAGE);
        assertThat(bad.err()).contains("colour");
        CliRun since = CliRun.of("usage", "--ledger", tmp.resolve("x.db").toString(), "--since", "soon");
        assertThat(since.code()).isEqualTo(Main.USAGE);
        CliRun missing = CliRun.of("usage", "--ledger", tmp.resolve("x.db").toString());
        assertThat(missing.code()).isEqualTo(Main.FAILURE);
        assertThat(missing.err()).contains("x.db");
    }

    @Test
    void statusPrintsTheGatewaysRoutingSummary() {
        JsonNode routing = Json.parse("{\"recent\":12,\"routed\":10,\"refused\":{\"no_private_route\":2}}");
        assertThat(StatusCommand.routingSummary(routing)).isEqualTo("routing: 12 recent decisions, 10 routed, refused no_private_route=2");
        assertThat(StatusCommand.routingSummary(Json.parse("{}"))).isNull();
    }
}
