package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailgate.gateway.ledger.GroupBy;
import dev.tailgate.gateway.ledger.UsageReader;
import dev.tailgate.gateway.ledger.UsageSummary;
import dev.tailgate.wire.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate usage}: totals from the gateway's usage ledger (requests, errors, tokens, cost, mean latency),
 * grouped by client, model, provider or day. Reads the SQLite file directly (read-only, safe while the gateway runs).
 * The ledger is {@code --ledger FILE}, else the {@code ledger:} key of {@code <home>/gateway.yaml}, else
 * {@code <home>/usage.db}.
 */
@Command(name = "usage", description = "Show token usage and cost from the gateway's usage ledger.",
        mixinStandardHelpOptions = true)
public final class UsageCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "Tailgate home (default: $TAILGATE_HOME, else ~/.tailgate).")
    Path home;

    @Option(names = "--ledger", paramLabel = "FILE", description = "The ledger file (default: the gateway config's ledger, else <home>/usage.db).")
    Path ledger;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "7d",
            description = "How far back to look, e.g. 1h, 7d, 30d; 'all' for everything (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--by", paramLabel = "GROUP", split = ",", defaultValue = "model",
            description = "Group by client, model, provider or day; comma-separated for several (default: ${DEFAULT-VALUE}).")
    List<String> by;

    @Option(names = "--json", description = "Print the rows as a JSON array.")
    boolean json;

    private final Clock clock;

    public UsageCommand() {
        this(Clock.systemUTC());
    }

    UsageCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        List<GroupBy> groups = new ArrayList<>();
        for (String g : by) {
            try {
                GroupBy parsed = GroupBy.parse(g);
                if (!groups.contains(parsed)) groups.add(parsed);
            } catch (IllegalArgumentException e) {
                throw new UserError("--by: " + e.getMessage(), Main.USAGE);
            }
        }
        Instant to = clock.instant().plusSeconds(1);
        Instant from = from(since, clock.instant());
        Path file = ledgerFile();
        List<UsageSummary> rows;
        try (UsageReader reader = UsageReader.open(file)) {
            rows = reader.summary(from, to, new LinkedHashSet<>(groups));
        } catch (SQLException e) {
            throw new UserError("cannot read the usage ledger " + file + ": " + e.getMessage()
                    + (Files.exists(file) ? "" : " (the gateway creates it on its first request)"));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var arr = dev.tailgate.wire.Json.MAPPER.createArrayNode();
            for (UsageSummary r : rows) {
                var o = arr.addObject();
                r.keys().forEach((g, v) -> o.put(g.name().toLowerCase(java.util.Locale.ROOT), v));
                o.put("requests", r.requests());
                o.put("errors", r.errors());
                o.put("prompt_tokens", r.promptTokens());
                o.put("completion_tokens", r.completionTokens());
                o.put("cost_usd", r.costUsd());
                o.put("avg_latency_ms", r.avgLatencyMs());
            }
            out.println(arr.toPrettyString());
            out.flush();
            return Main.OK;
        }
        out.println("usage since " + (from.equals(Instant.EPOCH) ? "the beginning" : from) + "  (ledger " + file + ")");
        if (rows.isEmpty()) out.println("no requests in this period");
        else out.print(UsageReader.table(rows, groups));
        out.flush();
        return Main.OK;
    }

    static Instant from(String since, Instant now) {
        if (since.equalsIgnoreCase("all")) return Instant.EPOCH;
        Duration d;
        try {
            d = Durations.parse(since);
        } catch (IllegalArgumentException e) {
            throw new UserError("--since: " + e.getMessage() + " (examples: 1h, 7d, 30d, all)", Main.USAGE);
        }
        return now.minus(d);
    }

    private Path ledgerFile() {
        if (ledger != null) return Home.expand(ledger.toString(), System.getProperty("user.home"));
        Path dir = Home.resolve(home);
        Path config = dir.resolve(DefaultConfigs.GATEWAY);
        if (Files.isRegularFile(config)) {
            try {
                JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
                JsonNode l = n == null ? null : n.get("ledger");
                if (l != null && l.isTextual() && !l.asText().isBlank()) {
                    Path p = Home.expand(l.asText().trim(), System.getProperty("user.home"));
                    return Path.of(l.asText().trim()).isAbsolute() || l.asText().startsWith("~") ? p : dir.resolve(l.asText().trim());
                }
            } catch (IOException e) {
                throw new UserError("cannot read " + config + ": " + e.getMessage());
            }
        }
        return dir.resolve("usage.db");
    }
}
