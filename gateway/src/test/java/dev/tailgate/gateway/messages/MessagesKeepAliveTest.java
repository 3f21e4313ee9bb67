package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.gateway.responses.TestGateway;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** While the upstream is quiet mid-stream, the client keeps getting {@code ping} events; leaving cancels the upstream. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessagesKeepAliveTest {

    @Test
    void aQuietUpstreamGetsPingsAndAClientThatLeavesClosesIt(@TempDir Path dir) throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Stall("Thinking"))) {
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, """
                    listen: 127.0.0.1:0
                    providers:
                      scripted:
                        base_url: %s
                    models:
                      qwen:
                        targets: [scripted/scripted-model]
                    clients:
                      tester:
                        key: env:TG_TEST_KEY
                    """.formatted(upstream.baseUrl()));
            // the built-in registration pings every 15 s; this one every 50 ms (registered later, its routes win)
            GatewayServer server = GatewayServer.start(GatewayServer.Options.of(config).listen("127.0.0.1", 0)
                    .env(Map.of("TG_TEST_KEY", TestGateway.KEY)).shutdownGrace(Duration.ofSeconds(2)).activeProbes(false)
                    .extension((gateway, chat, routes) -> MessagesRoutes.register(gateway, chat, routes, Duration.ofMillis(50), IdGenerator.sequential())));
            try {
                HttpResponse<Stream<String>> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/messages"))
                                .header("content-type", "application/json").header("x-api-key", TestGateway.KEY)
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"qwen\",\"max_tokens\":9,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(), HttpResponse.BodyHandlers.ofLines());
                assertEquals(200, response.statusCode());
                int pingsAfterText = 0;
                boolean text = false;
                try (Stream<String> lines = response.body()) {
                    Iterator<String> it = lines.iterator();
                    while (pingsAfterText < 3 && it.hasNext()) {
                        String line = it.next();
                        if (line.contains("text_delta")) text = true;
                        if (text && line.equals("event: ping")) pingsAfterText++;
                    }
                }
                assertTrue(text && pingsAfterText == 3, "pings keep coming while the upstream is silent");
                assertTrue(upstream.awaitStalledStreamClosed(30, TimeUnit.SECONDS), "the client left: the upstream request was closed");
            } finally {
                server.close();
            }
        }
    }
}
