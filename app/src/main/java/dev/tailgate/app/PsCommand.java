package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Durations;
import dev.tailgate.wire.Printable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate ps}: qwen-local's models from its {@code /status} — state, memory, time until keep-alive unloads an
 * idle one, and download progress — for the home's running instance (with its internal key).
 */
@Command(name = "ps", description = "Show qwen-local's models: state, memory, time until unload, downloads.",
        mixinStandardHelpOptions = true)
public final class PsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "Tailgate home (default: $TAILGATE_HOME or ~/.tailgate).")
    Path home;

    @Option(names = "--json", description = "Print qwen-local's /status as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Path h = Home.resolve(home);
        String url = HomeAddresses.of(h).localUrl();
        StatusClient.Result r = new StatusClient().get(StatusCommand.statusUri(url), LocalServiceLink.readKey(h));
        String homeFlag = HomeFlag.of(h);
        if (!r.ok()) throw new UserError("qwen-local at " + url + " did not answer: " + r.error() + "; start it with: tailgate up" + homeFlag);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(r.body().toPrettyString());
            out.flush();
            return Main.OK;
        }
        JsonNode b = r.body();
        JsonNode mem = b.path("memory");
        out.println(Printable.escape("qwen-local " + url + "  " + b.path("status").asText("?") + "  memory "
                + StatusCommand.bytes(mem.get("used_bytes")) + " of " + StatusCommand.bytes(mem.get("budget_bytes"))));
        TextTable t = new TextTable(List.of("MODEL", "CAPABILITY", "STATE", "MEMORY", "UNLOADS IN", "IN_FLIGHT", "QUEUED", "DETAIL"));
        for (JsonNode m : b.path("models")) {
            t.row(List.of(m.path("id").asText(), m.path("capability").asText("-"), m.path("state").asText("-"),
                    StatusCommand.bytes(m.get("memory_bytes")), unloadIn(m), m.path("in_flight").asText("0"), m.path("queued").asText("0"),
                    HomeFlag.completePullCommands(detail(m), homeFlag)));
        }
        t.print(out);
        out.flush();
        return Main.OK;
    }

    static String unloadIn(JsonNode m) {
        JsonNode v = m.get("unload_in_ms");
        if (v != null && v.canConvertToLong()) return Durations.format(Duration.ofSeconds(Math.ceilDiv(v.asLong(), 1000)));
        return m.path("state").asText().equals("ready") && m.path("keep_alive_ms").asLong(-1) == 0 ? "never" : "-";
    }

    /** Download progress (percent, rate, ETA), else the reason the model is in its state, else "-". */
    static String detail(JsonNode m) {
        JsonNode d = m.get("download");
        if (d != null && d.isObject()) {
            long eta = d.path("eta_seconds").asLong(-1);
            return d.path("percent").asInt() + "% of " + StatusCommand.bytes(d.get("total_bytes")) + " at "
                    + StatusCommand.bytes(d.get("bytes_per_second")) + "/s, " + (eta < 0 ? "ETA unknown" : "ETA " + Durations.format(Duration.ofSeconds(eta)));
        }
        JsonNode reason = m.get("reason");
        return reason == null || reason.isNull() ? "-" : reason.asText();
    }
}
