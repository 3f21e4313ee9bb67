package dev.tailgate.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The ledger's read queries, shared by the running {@link Ledger} and the CLI's {@link UsageReader}. */
final class UsageQueries {
    private UsageQueries() {}

    static List<UsageSummary> summary(Connection c, Instant from, Instant to, Set<GroupBy> groupBy) throws SQLException {
        List<GroupBy> groups = List.copyOf(new LinkedHashSet<>(groupBy));
        // Column names come from the GroupBy enum only, never from user text.
        String cols = groups.stream().map(g -> g.column).collect(Collectors.joining(", "));
        String sql = "SELECT " + (cols.isEmpty() ? "" : cols + ", ")
                + "COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), SUM(prompt_tokens), SUM(completion_tokens),"
                + " SUM(cost_usd), AVG(latency_ms) FROM usage WHERE ts_ms >= ? AND ts_ms < ?"
                + (cols.isEmpty() ? "" : " GROUP BY " + cols + " ORDER BY " + cols);
        List<UsageSummary> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, from.toEpochMilli());
            s.setLong(2, to.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<GroupBy, String> keys = new EnumMap<>(GroupBy.class);
                    int i = 1;
                    for (GroupBy g : groups) keys.put(g, rs.getString(i++));
                    long count = rs.getLong(i++);
                    if (count == 0) continue; // the ungrouped query returns one all-null line on no rows
                    out.add(new UsageSummary(keys, count, rs.getLong(i++), rs.getLong(i++), rs.getLong(i++),
                            rs.getDouble(i++), rs.getDouble(i)));
                }
            }
        }
        return out;
    }

    static double spentUsd(Connection c, String client, Instant from, Instant to) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT COALESCE(SUM(cost_usd), 0) FROM usage WHERE client = ? AND ts_ms >= ? AND ts_ms < ?")) {
            s.setString(1, client);
            s.setLong(2, from.toEpochMilli());
            s.setLong(3, to.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : 0;
            }
        }
    }

    /** The last {@code limit} rows, newest first (metadata only: the ledger holds no prompt or completion text). */
    static List<UsageRecord> recent(Connection c, int limit) throws SQLException {
        List<UsageRecord> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT request_id, ts_ms, client, model, provider, upstream_model,"
                + " prompt_tokens, completion_tokens, cost_usd, latency_ms, ttft_ms, status, error_code, private"
                + " FROM usage ORDER BY id DESC LIMIT ?")) {
            s.setInt(1, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long ttft = rs.getLong(11);
                    Long ttftMs = rs.wasNull() ? null : ttft;
                    out.add(new UsageRecord(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8),
                            rs.getDouble(9), rs.getLong(10), ttftMs, rs.getInt(12), rs.getString(13), rs.getInt(14) != 0));
                }
            }
        }
        return out;
    }

    static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
