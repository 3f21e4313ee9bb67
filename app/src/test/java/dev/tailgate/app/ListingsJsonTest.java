package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.ledger.Ledger;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} on every listing parses as JSON with the fields the tables show; {@code ps} reads the home's
 * qwen-local (found through local.yaml's listen, asked with the home's internal key) and shows download progress.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListingsJsonTest {
    @TempDir
    Path home;

    static final String LOCAL_STATUS = """
            {"status": "degraded",
             "models": [{"id": "qwen", "capability": "chat", "state": "downloading", "reason": "downloading q.gguf (42%)",
                         "in_flight": 0, "queued": 0, "memory_bytes": 0, "keep_alive_ms": 600000, "unload_in_ms": null,
                         "download": {"file": "q.gguf", "percent": 42, "bytes": 440401920, "total_bytes": 1048576000,
                                      "bytes_per_second": 10485760, "eta_seconds": 58}},
                        {"id": "all-minilm-l6-v2", "capability": "embeddings", "state": "ready", "reason": null,
                         "in_flight": 0, "queued": 0, "memory_bytes": 94371840, "keep_alive_ms": 300000, "unload_in_ms": 125000}],
             "memory": {"budget_bytes": 12884901888, "used_bytes": 94371840}}
            """;

    private void homeWithLocalAt(StubServer local) throws Exception {
        Files.writeString(home.resolve("local.yaml"), "listen: 127.0.0.1:" + local.port() + "\nmodels: {}\n");
        Files.writeString(home.resolve("local.key"), "tg-the-internal-key\n");
    }

    @Test
    void psShowsStateMemoryTimeUntilUnloadAndDownloadProgressFromTheHomesQwenLocal() throws Exception {
        try (StubServer local = new StubServer()) {
            local.json("/status", 200, LOCAL_STATUS);
            homeWithLocalAt(local);
            CliRun r = CliRun.of("ps", "--home", home.toString());
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(local.lastAuthorization.get("/status")).isEqualTo("Bearer tg-the-internal-key");
            assertThat(r.out()).contains("qwen-local " + local.url() + "  degraded  memory 90.0 MiB of 12.0 GiB");
            assertThat(r.out()).containsPattern("(?m)^MODEL +CAPABILITY +STATE +MEMORY +UNLOADS IN +IN_FLIGHT +QUEUED +DETAIL$");
            assertThat(r.out()).containsPattern("(?m)^qwen +chat +downloading +0 B +- +0 +0 +42% of 1000.0 MiB at 10.0 MiB/s, ETA 58s$");
            assertThat(r.out()).containsPattern("(?m)^all-minilm-l6-v2 +embeddings +ready +90.0 MiB +125s +0 +0 +-$");

            CliRun json = CliRun.of("ps", "--home", home.toString(), "--json");
            JsonNode parsed = Json.parse(json.out());
            assertThat(parsed.get("models").get(0).get("download").get("percent").asInt()).isEqualTo(42);
        }
    }

    @Test
    void psWithNothingRunningNamesTheAddressAndHowToStart() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(home.resolve("local.yaml"), "listen: 127.0.0.1:" + port + "\n");
        CliRun r = CliRun.of("ps", "--home", home.toString());
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("http://127.0.0.1:" + port).contains("tailgate up --home " + home);
    }

    @Test
    void statusJsonHasBothServicesAndAnErrorObjectForOneThatIsDown() throws Exception {
        try (StubServer local = new StubServer(); StubServer gw = new StubServer()) {
            local.json("/status", 200, LOCAL_STATUS);
            gw.json("/status", 200, "{\"status\":\"ok\",\"providers\":[],\"models\":[]}");
            homeWithLocalAt(local);
            Files.writeString(home.resolve("gateway.yaml"), "listen: 127.0.0.1:" + gw.port() + "\n");
            CliRun r = CliRun.of("status", "--home", home.toString(), "--json");
            assertThat(r.code()).as(r.toString()).isZero();
            JsonNode s = Json.parse(r.out());
            assertThat(s.get("gateway").get("status").asText()).isEqualTo("ok");
            assertThat(s.get("local").get("models").size()).isEqualTo(2);
            assertThat(local.lastAuthorization.get("/status")).isEqualTo("Bearer tg-the-internal-key");

            local.close();
            CliRun down = CliRun.of("status", "--home", home.toString(), "--json");
            JsonNode d = Json.parse(down.out());
            assertThat(d.get("local").get("url").asText()).isEqualTo(local.url());
            assertThat(d.get("local").get("error").asText()).isNotBlank();
        }
    }

    @Test
    void keysListJson() {
        CliRun created = CliRun.of("keys", "create", "laptop", "--private", "--models", "qwen,embeddings", "--home", home.toString());
        assertThat(created.code()).as(created.toString()).isZero();
        CliRun r = CliRun.of("keys", "list", "--json", "--home", home.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode arr = Json.parse(r.out());
        assertThat(arr.size()).isEqualTo(1);
        assertThat(arr.get(0).get("name").asText()).isEqualTo("laptop");
        assertThat(arr.get(0).get("private").asBoolean()).isTrue();
        assertThat(arr.get(0).get("models").toString()).isEqualTo("[\"qwen\",\"embeddings\"]");
        assertThat(r.out()).doesNotContain("tg-"); // only the hash reference, never a key
    }

    @Test
    void modelsListJson() throws Exception {
        DefaultConfigs.writeMissing(home);
        Files.writeString(home.resolve("models/extra.gguf"), "x");
        CliRun r = CliRun.of("models", "list", "--json", "--catalog", "--home", home.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode j = Json.parse(r.out());
        assertThat(j.get("models_dir").asText()).isEqualTo(home.resolve("models").toString());
        assertThat(j.get("files").get(0).get("file").asText()).isEqualTo("extra.gguf");
        assertThat(j.get("files").get(0).get("size_bytes").asLong()).isEqualTo(1);
        assertThat(j.get("missing").get(0).get("pull").asText()).startsWith("tailgate models pull ");
        assertThat(j.get("catalog").toString()).contains("qwen2.5-0.5b-instruct");
    }

    @Test
    void usageJson() throws Exception {
        Path file = home.resolve("usage.db");
        try (Ledger l = Ledger.open(file, 100)) {
            l.append(new UsageRecord("a", Instant.now(), "laptop", "qwen", "local", "q", 10, 5, 0, 100, null, 200, null, true))
                    .get(5, TimeUnit.SECONDS);
        }
        CliRun r = CliRun.of("usage", "--home", home.toString(), "--by", "client,model", "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode row = Json.parse(r.out()).get(0);
        assertThat(row.get("client").asText()).isEqualTo("laptop");
        assertThat(row.get("model").asText()).isEqualTo("qwen");
        assertThat(row.get("requests").asLong()).isEqualTo(1);
        assertThat(row.get("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(row.get("completion_tokens").asLong()).isEqualTo(5);
    }
}
