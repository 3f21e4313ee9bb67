package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Printable;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate status}: the gateway's {@code /status} (providers, models) and qwen-local's (models, memory)
 * as aligned tables. Exit 1 when the gateway cannot be reached.
 */
@Command(name = "status", description = "Show the health of the gateway, its providers and qwen-local.",
        mixinStandardHelpOptions = true)
public final class StatusCommand implements Callable<Integer> {
    static final String DEFAULT_GATEWAY = "http://127.0.0.1:8080";
    static final String DEFAULT_LOCAL = "http://127.0.0.1:8081";

    /** Columns shown for a model row, in this order, when any row has them. */
    private static final List<String> MODEL_COLUMNS = List.of(
            "id", "capability", "targets", "fallback", "private", "state", "in_flight", "queued", "memory_bytes", "reason");
    private static final List<String> PROVIDER_COLUMNS = List.of(
            "name", "local", "state", "in_flight", "queued", "last_error");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR",
            description = "Tailgate home whose services to ask (default: $TAILGATE_HOME or ~/.tailgate): where its"
                    + " running `up` listens, else the listen: of its configs.")
    Path home;

    @Option(names = "--url", paramLabel = "URL", description = "The gateway (default: the home's, " + DEFAULT_GATEWAY + " unless configured).")
    String url;

    @Option(names = "--local-url", paramLabel = "URL",
            description = "qwen-local (default: the home's, " + DEFAULT_LOCAL + " unless configured).")
    String localUrl;

    @Option(names = "--json", description = "Print both services' /status as one JSON object {gateway, local}.")
    boolean json;

    @Option(names = "--key", paramLabel = "KEY",
            description = "An admin client key (keys create NAME --admin): /status then shows providers, models, errors"
                    + " and routing; without one only a summary (default: $TAILGATE_ADMIN_KEY, else $TAILGATE_KEY).")
    String key;

    /** The key to send: --key, else $TAILGATE_ADMIN_KEY, else $TAILGATE_KEY (a non-admin key gets the summary). */
    static String key(String given, java.util.function.Function<String, String> env) {
        if (given != null && !given.isBlank()) return given;
        String admin = env.apply("TAILGATE_ADMIN_KEY");
        return admin != null && !admin.isBlank() ? admin : env.apply("TAILGATE_KEY");
    }

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up on a service after this many seconds (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Override
    public Integer call() {
        if (!(timeoutSeconds > 0) || timeoutSeconds > 600) {
            throw new UserError("--timeout must be between 0 and 600 seconds", Main.USAGE);
        }
        PrintWriter out = spec.commandLine().getOut();
        StatusClient client = new StatusClient(java.time.Duration.ofMillis(Math.round(timeoutSeconds * 1000)));
        Path h = Home.resolve(home);
        HomeAddresses addresses = HomeAddresses.of(h);
        String homeFlag = HomeFlag.of(h);
        String url = this.url != null ? this.url : addresses.gatewayUrl();

        StatusClient.Result gw = client.get(statusUri(url), key(key, System::getenv));
        String local = localUrl != null ? localUrl : addresses.localUrl();
        StatusClient.Result lr = client.get(statusUri(local), LocalServiceLink.readKey(h));
        if (json) {
            ObjectNode all = Json.object();
            all.set("gateway", asJson(gw, url));
            all.set("local", asJson(lr, local));
            out.println(all.toPrettyString());
            out.flush();
            if (!gw.ok()) throw new UserError("the gateway at " + base(url) + " is unreachable: " + gw.error());
            return Main.OK;
        }
        if (gw.ok()) {
            printGateway(out, gw, homeFlag);
        } else {
            out.println("gateway     " + Printable.escape(base(url) + "  unreachable: " + gw.error()));
        }

        out.println();
        if (lr.ok()) {
            printLocal(out, lr, homeFlag);
        } else {
            out.println("qwen-local  " + Printable.escape(base(local) + "  unreachable: " + lr.error()));
        }
        out.flush();
        if (!gw.ok()) {
            throw new UserError("the gateway at " + base(url) + " is unreachable: " + gw.error()
                    + "; start it with: tailgate up" + homeFlag);
        }
        return Main.OK;
    }

    /** A service's status body, or {@code {"url":…, "error":…}} when it did not answer one. */
    static JsonNode asJson(StatusClient.Result r, String url) {
        if (r.ok()) return r.body();
        ObjectNode e = Json.object();
        e.put("url", base(url));
        e.put("error", r.error());
        return e;
    }

    static URI statusUri(String base) {
        String b = base(base);
        try {
            return URI.create(b + "/status");
        } catch (IllegalArgumentException e) {
            throw new UserError("'" + base + "' is not a URL (example: " + DEFAULT_GATEWAY + ")", Main.USAGE);
        }
    }

    /** A base URL without trailing slash and without a trailing /v1 or /status, so both forms work. */
    static String base(String url) {
        String b = url.trim();
        if (!b.contains("://")) b = "http://" + b;
        while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
        for (String suffix : List.of("/status", "/v1")) {
            if (b.endsWith(suffix)) b = b.substring(0, b.length() - suffix.length());
        }
        return b;
    }

    private static void printGateway(PrintWriter out, StatusClient.Result r, String homeFlag) {
        JsonNode b = r.body();
        out.println("gateway     " + Printable.escape(base(r.uri().toString()) + "  " + b.path("status").asText("?")));
        JsonNode counts = b.path("counts");
        if (!b.has("providers") && counts.isObject()) { // the summary the gateway gives without an admin key
            out.println("            " + counts.path("providers").asLong() + " providers (" + counts.path("providers_healthy").asLong()
                    + " healthy), " + counts.path("models").asLong() + " models, " + b.path("in_flight").asLong() + " in flight");
            out.println("            details need an admin key: --key KEY or TAILGATE_ADMIN_KEY"
                    + " (create one with: tailgate keys create NAME --admin" + homeFlag + ")");
            return;
        }
        JsonNode providers = b.path("providers");
        if (providers.isArray() && !providers.isEmpty()) {
            out.println();
            table(providers, PROVIDER_COLUMNS, homeFlag).print(out);
        }
        JsonNode models = b.path("models");
        if (models.isArray() && !models.isEmpty()) {
            out.println();
            table(models, MODEL_COLUMNS, homeFlag).print(out);
        }
        String routing = routingSummary(b.path("routing"));
        if (routing != null) {
            out.println();
            out.println(Printable.escape(routing));
        }
    }

    /** One line from the gateway's routing-decision counts: {@code routing: 12 recent decisions, 10 routed, refused no_private_route=2}. */
    static String routingSummary(JsonNode r) {
        if (r == null || !r.isObject() || !r.has("recent")) return null;
        StringBuilder sb = new StringBuilder("routing: ").append(r.path("recent").asLong()).append(" recent decisions, ")
                .append(r.path("routed").asLong()).append(" routed");
        List<String> refused = new ArrayList<>();
        r.path("refused").properties().forEach(e -> refused.add(e.getKey() + "=" + e.getValue().asLong()));
        sb.append(refused.isEmpty() ? ", none refused" : ", refused " + String.join(" ", refused));
        if (r.path("ledger_dropped").asLong(0) > 0) sb.append("; usage ledger dropped ").append(r.get("ledger_dropped").asLong()).append(" rows");
        return sb.toString();
    }

    private static void printLocal(PrintWriter out, StatusClient.Result r, String homeFlag) {
        JsonNode b = r.body();
        StringBuilder head = new StringBuilder("qwen-local  " + base(r.uri().toString()) + "  " + b.path("status").asText("?"));
        JsonNode mem = b.path("memory");
        if (mem.has("used_bytes") || mem.has("budget_bytes")) {
            head.append("  memory ").append(bytes(mem.get("used_bytes")))
                    .append(" of ").append(bytes(mem.get("budget_bytes")));
        }
        out.println(Printable.escape(head.toString()));
        JsonNode models = b.path("models");
        if (models.isArray() && !models.isEmpty()) {
            out.println();
            table(models, MODEL_COLUMNS, homeFlag).print(out);
        }
    }

    /**
     * A table of the preferred columns that at least one row has (services may add fields; tables stay readable).
     * Reasons and errors get {@code homeFlag} after the pull commands they name, so those work for the home asked.
     */
    static TextTable table(JsonNode rows, List<String> preferred, String homeFlag) {
        List<String> cols = new ArrayList<>();
        for (String c : preferred) {
            for (JsonNode row : rows) {
                if (row.has(c)) {
                    cols.add(c);
                    break;
                }
            }
        }
        List<String> header = new ArrayList<>();
        for (String c : cols) header.add(heading(c));
        TextTable t = new TextTable(header);
        for (JsonNode row : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : cols) {
                String text = cell(c, row.get(c));
                cells.add(c.equals("reason") || c.equals("last_error") ? HomeFlag.completePullCommands(text, homeFlag) : text);
            }
            t.row(cells);
        }
        return t;
    }

    private static String heading(String column) {
        String c = column.equals("memory_bytes") ? "memory" : column.equals("name") ? "provider" : column;
        return c.equals("id") ? "MODEL" : c.toUpperCase(Locale.ROOT);
    }

    private static String cell(String column, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "-";
        if (column.endsWith("_bytes")) return bytes(v);
        if (v.isBoolean()) return v.asBoolean() ? "yes" : "no";
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) parts.add(it.next().asText());
            return String.join(",", parts);
        }
        if (v.isObject()) return v.toString();
        return v.asText();
    }

    /** A byte count from a /status field, or "-" when absent. */
    static String bytes(JsonNode v) {
        return v == null || !v.canConvertToLong() ? "-" : ByteSizes.format(v.asLong());
    }
}
