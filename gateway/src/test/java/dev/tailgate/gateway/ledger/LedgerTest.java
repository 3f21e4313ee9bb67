package dev.tailgate.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LedgerTest {
    @TempDir
    Path dir;

    static UsageRecord row(String id, String time, String client, String model, long in, long out, double cost, int status) {
        return new UsageRecord(id, Instant.parse(time), client, model, "deepseek", "deepseek-chat", in, out, cost,
                120, 40L, status, status >= 400 ? "upstream_error" : null, false);
    }

    @Test
    void rowsAreWrittenAndSummarisedByClientModelAndDay() throws Exception {
        Path db = dir.resolve("sub/usage.db");
        try (Ledger ledger = Ledger.open(db, 100)) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            acks.add(ledger.append(row("r1", "2026-01-01T10:00:00Z", "laptop", "qwen", 100, 10, 0.5, 200)));
            acks.add(ledger.append(row("r2", "2026-01-01T23:59:59Z", "laptop", "qwen", 200, 20, 0.25, 200)));
            acks.add(ledger.append(row("r3", "2026-01-02T00:00:00Z", "laptop", "qwen", 1, 2, 1.0, 502)));
            acks.add(ledger.append(row("r4", "2026-01-01T12:00:00Z", "ci", "embed", 50, 0, 0, 200)));
            acks.add(ledger.append(row("r5", "2026-02-01T00:00:00Z", "ci", "embed", 7, 0, 0, 200))); // outside the range
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(ledger.count()).isEqualTo(5);

            Instant from = Instant.parse("2026-01-01T00:00:00Z");
            Instant to = Instant.parse("2026-01-31T00:00:00Z");
            List<UsageSummary> s = ledger.summary(from, to, EnumSet.of(GroupBy.CLIENT, GroupBy.MODEL, GroupBy.DAY));
            assertThat(s).hasSize(3);
            UsageSummary ci = s.get(0);
            assertThat(ci.keys()).isEqualTo(Map.of(GroupBy.CLIENT, "ci", GroupBy.MODEL, "embed", GroupBy.DAY, "2026-01-01"));
            assertThat(ci.requests()).isEqualTo(1);
            UsageSummary day1 = s.get(1);
            assertThat(day1.keys()).containsEntry(GroupBy.DAY, "2026-01-01").containsEntry(GroupBy.CLIENT, "laptop");
            assertThat(day1.requests()).isEqualTo(2);
            assertThat(day1.promptTokens()).isEqualTo(300);
            assertThat(day1.completionTokens()).isEqualTo(30);
            assertThat(day1.costUsd()).isEqualTo(0.75);
            assertThat(day1.errors()).isZero();
            UsageSummary day2 = s.get(2);
            assertThat(day2.keys()).containsEntry(GroupBy.DAY, "2026-01-02");
            assertThat(day2.errors()).isEqualTo(1);

            List<UsageSummary> byClient = ledger.summary(from, to, Set.of(GroupBy.CLIENT));
            assertThat(byClient).extracting(x -> x.keys().get(GroupBy.CLIENT)).containsExactly("ci", "laptop");
            assertThat(byClient.get(1).requests()).isEqualTo(3);
            assertThat(byClient.get(1).costUsd()).isEqualTo(1.75);

            List<UsageSummary> all = ledger.summary(from, to, Set.of());
            assertThat(all).singleElement().satisfies(x -> assertThat(x.requests()).isEqualTo(4));
            assertThat(ledger.summary(Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-02-01T00:00:00Z"), Set.of())).isEmpty();

            assertThat(ledger.spentUsd("laptop", from, Instant.parse("2026-01-02T00:00:00Z"))).isEqualTo(0.75);
        }
    }

    @Test
    void theDatabaseIsInWalModeAndHasNoColumnForTextOrKeys() throws Exception {
        Path db = dir.resolve("usage.db");
        try (Ledger ledger = Ledger.open(db, 10)) {
            ledger.append(row("r1", "2026-01-01T10:00:00Z", "a", "m", 1, 1, 0, 200)).get(10, TimeUnit.SECONDS);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("PRAGMA table_info(usage)")) {
                while (rs.next()) columns.add(rs.getString("name"));
            }
            assertThat(columns).contains("request_id", "client", "model", "provider", "upstream_model", "prompt_tokens",
                    "completion_tokens", "cost_usd", "latency_ms", "ttft_ms", "status", "private");
            assertThat(columns).noneMatch(n -> n.contains("prompt_text") || n.contains("content") || n.contains("key")
                    || n.contains("message"));
        }
    }

    @Test
    void reopeningKeepsRowsAndAppendsAfterCloseAreRefused() throws Exception {
        Path db = dir.resolve("usage.db");
        Ledger first = Ledger.open(db, 10);
        first.append(row("r1", "2026-01-01T10:00:00Z", "a", "m", 1, 1, 0, 200)).get(10, TimeUnit.SECONDS);
        first.close();
        assertThat(first.append(row("r2", "2026-01-01T10:00:00Z", "a", "m", 1, 1, 0, 200))).isCompletedExceptionally();
        try (Ledger again = Ledger.open(db, 10)) {
            assertThat(again.count()).isEqualTo(1);
        }
    }

    @Test
    void aReadOnlyReaderSeesCommittedRowsWhileTheWriterIsOpen() throws Exception {
        Path db = dir.resolve("usage.db");
        try (Ledger ledger = Ledger.open(db, 10)) {
            ledger.append(row("r1", "2026-01-01T10:00:00Z", "a", "qwen", 10, 5, 0.5, 200)).get(10, TimeUnit.SECONDS);
            try (UsageReader reader = UsageReader.open(db)) {
                ledger.append(row("r2", "2026-01-01T11:00:00Z", "b", "qwen", 1, 1, 0.25, 429)).get(10, TimeUnit.SECONDS);
                assertThat(reader.count()).isEqualTo(2);
                List<UsageSummary> s = reader.summary(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-02T00:00:00Z"),
                        Set.of(GroupBy.MODEL, GroupBy.PROVIDER));
                assertThat(s).singleElement().satisfies(x -> {
                    assertThat(x.requests()).isEqualTo(2);
                    assertThat(x.errors()).isEqualTo(1);
                    assertThat(x.keys()).containsEntry(GroupBy.PROVIDER, "deepseek");
                });
                String table = UsageReader.table(s, List.of(GroupBy.MODEL));
                assertThat(table).contains("model").contains("qwen").contains("0.7500");
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            // sanity: the file is a normal database afterwards
            assertThat(c.isValid(1)).isTrue();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UsageReader.open(dir.resolve("missing.db")))
                .hasMessageContaining("no usage ledger");
    }

    @Test
    void rowsQueuedTogetherAreCommittedTogetherAndEachIsReadableOnceAcknowledged() throws Exception {
        Path db = dir.resolve("usage.db");
        try (Ledger ledger = Ledger.open(db, 2_000); UsageReader reader = UsageReader.open(db)) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            // appended faster than one commit takes: the writer drains them in batches of up to MAX_BATCH
            for (int i = 0; i < 3 * Ledger.MAX_BATCH; i++) acks.add(ledger.append(row("b" + i, "2026-01-01T10:00:00Z", "a", "m", 1, 1, 0, 200)));
            for (CompletableFuture<Void> ack : acks) {
                ack.get(10, TimeUnit.SECONDS);
            }
            // acknowledged means committed: another connection sees every row without the ledger being closed
            assertThat(reader.count()).isEqualTo(3L * Ledger.MAX_BATCH);
            assertThat(ledger.append(row("after", "2026-01-01T11:00:00Z", "a", "m", 1, 1, 0, 200))).succeedsWithin(java.time.Duration.ofSeconds(10));
            assertThat(reader.count()).isEqualTo(3L * Ledger.MAX_BATCH + 1);
        }
    }

    @Test
    void closeWritesWhatIsQueued() throws Exception {
        Path db = dir.resolve("usage.db");
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        try (Ledger ledger = Ledger.open(db, 1_000)) {
            for (int i = 0; i < 300; i++) acks.add(ledger.append(row("r" + i, "2026-01-01T10:00:00Z", "a", "m", 1, 1, 0, 200)));
        }
        assertThat(acks).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        try (Ledger again = Ledger.open(db, 10)) {
            assertThat(again.count()).isEqualTo(300);
        }
    }
}
