package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tailgate up} as a real process: first start prints a working key, SIGTERM stops the services through the
 * shutdown hook. The home's configs are the defaults; TAILGATE_PORT=0 and TAILGATE_LOCAL_PORT (a free port) move both
 * services, and the gateway's local provider follows qwen-local there, so the test never needs 8080/8081.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UpProcessTest {
    private static final Pattern PORT = Pattern.compile("(?m)^gateway listening on port (\\d+)$");
    private static final Pattern KEY = Pattern.compile("(?m)^\\s+(tg-[A-Za-z0-9_-]{43})$");

    @TempDir
    Path home;

    @Test
    void upServesWithTheKeyItPrintsAndStopsOnSigterm() throws Exception {
        // qwen-local on a free port chosen through the environment; gateway.yaml is the default (base_url at 8081):
        // the gateway's local provider follows the port qwen-local actually got
        int localPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            localPort = s.getLocalPort();
        }
        Path log = home.resolve("up.log");

        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "up", "--home", home.toString(), "--no-pull");
        pb.environment().put("TAILGATE_PORT", "0"); // any free port for the gateway
        pb.environment().put("TAILGATE_LOCAL_PORT", String.valueOf(localPort));
        Process p = pb
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            String out = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!out.contains("Stop with Ctrl-C") && System.nanoTime() < deadline) {
                assertThat(p.isAlive()).as("up exited early:\n" + out).isTrue();
                Thread.sleep(100); // polling the child's log file, bounded by the deadline
                out = Files.readString(log);
            }
            Matcher pm = PORT.matcher(out);
            Matcher km = KEY.matcher(out);
            assertThat(pm.find() && km.find()).as(out).isTrue();
            int port = Integer.parseInt(pm.group(1));
            assertThat(port).isNotEqualTo(8080);
            assertThat(out).contains("qwen-local listening on port " + localPort);
            String key = km.group(1);
            assertThat(Files.readString(home.resolve("clients.yaml"))).doesNotContain(key).contains(ClientKey.sha256Hex(key));

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                    .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"qwen\"", "\"embeddings\"");

            // LangChain's OpenAIEmbeddings default: cl100k_base token arrays ("hello world", "cat"), base64 floats
            String langchain = "{\"model\":\"embeddings\",\"input\":[[15339,1917],[4719]],\"encoding_format\":\"base64\"}";
            String text = "{\"model\":\"embeddings\",\"input\":[\"hello world\",\"cat\"],\"encoding_format\":\"base64\"}";
            HttpResponse<String> tokens = postJson(http, port, key, "/v1/embeddings", langchain);
            assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
            HttpResponse<String> plain = postJson(http, port, key, "/v1/embeddings", text);
            assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
            var tokenData = dev.tailgate.wire.Json.parse(tokens.body()).get("data");
            assertThat(tokenData).hasSize(2);
            assertThat(tokenData).isEqualTo(dev.tailgate.wire.Json.parse(plain.body()).get("data"));
            HttpResponse<String> outside = postJson(http, port, key, "/v1/embeddings",
                    "{\"model\":\"embeddings\",\"input\":[[15339,100256]]}");
            assertThat(outside.statusCode()).as(outside.body()).isEqualTo(400);

            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            String all = Files.readString(log);
            assertThat(all).as("exit " + p.exitValue()).contains("tailgate: stopping", "tailgate: gateway stopped");
            assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM: the JVM's exit after running shutdown hooks
        } finally {
            p.destroyForcibly();
        }
    }

    private static HttpResponse<String> postJson(HttpClient http, int port, String key, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
