package dev.tailgate.gateway.ledger;

import dev.tailgate.wire.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;

/**
 * Read-only access to a ledger file for {@code ./tailgate usage}, safe while the gateway is writing to it (WAL:
 * readers see the last committed rows and never block the writer). Opens no writer thread and creates nothing.
 */
public final class UsageReader implements AutoCloseable {
    private final Connection conn;

    private UsageReader(Connection conn) {
        this.conn = conn;
    }

    public static UsageReader open(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) throw new SQLException("no usage ledger at " + file);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setBusyTimeout(5000);
        return new UsageReader(DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), cfg.toProperties()));
    }

    public List<UsageSummary> summary(Instant from, Instant to, Set<GroupBy> groupBy) throws SQLException {
        return UsageQueries.summary(conn, from, to, groupBy);
    }

    public long count() throws SQLException {
        return UsageQueries.count(conn);
    }

    /** A plain-text table of a summary, columns in {@code groupBy} order then the totals. */
    public static String table(List<UsageSummary> rows, List<GroupBy> groupBy) {
        StringBuilder sb = new StringBuilder();
        String head = groupBy.stream().map(g -> String.format(Locale.ROOT, "%-20s", g.name().toLowerCase(Locale.ROOT)))
                .collect(Collectors.joining());
        sb.append(head).append(String.format(Locale.ROOT, "%9s %7s %12s %12s %11s %10s%n",
                "requests", "errors", "prompt_tok", "compl_tok", "cost_usd", "avg_ms"));
        for (UsageSummary r : rows) {
            // a model name is the client's text: its control characters never reach the operator's terminal
            for (GroupBy g : groupBy) sb.append(String.format(Locale.ROOT, "%-20s", Printable.escape(String.valueOf(r.keys().get(g)))));
            sb.append(String.format(Locale.ROOT, "%9d %7d %12d %12d %11.4f %10.0f%n", r.requests(), r.errors(),
                    r.promptTokens(), r.completionTokens(), r.costUsd(), r.avgLatencyMs()));
        }
        return sb.toString();
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }
}
