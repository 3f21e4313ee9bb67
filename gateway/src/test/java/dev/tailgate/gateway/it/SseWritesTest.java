package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SSE relay writes the events of one upstream read together: one HTTP chunk (one write and flush) for a burst of
 * events instead of one per event, which was the largest part of a stream's CPU. Read at the level of the chunked
 * encoding, which shows the gateway's writes whatever TCP does with them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SseWritesTest {
    private static final int EVENTS = 20;
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start("burst:\n  targets: [fake/burst]\nslow-burst:\n  targets: [fake/slow-stream]\n");
        // the whole stream in one upstream write: role chunk, EVENTS content chunks, finish chunk, [DONE]
        h.upstream.behaviour("burst", ex -> {
            StringBuilder sse = new StringBuilder();
            List<com.fasterxml.jackson.databind.node.ObjectNode> chunks = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) chunks.add(ex.chunk(Json.object().put("content", "w" + i + " "), null));
            chunks.add(ex.chunk(Json.object(), "stop"));
            for (var c : chunks) sse.append("data: ").append(Json.string(c)).append("\n\n");
            sse.append("data: [DONE]\n\n");
            ex.response().setStatusCode(200).putHeader("Content-Type", "text/event-stream").end(Buffer.buffer(sse.toString()));
        });
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void eventsThatArriveTogetherLeaveTogetherAndEveryOneArrives() throws Exception {
        List<String> chunks = chunksOf("burst");
        String all = String.join("", chunks);
        for (int i = 0; i < EVENTS; i++) assertThat(all).contains("\"content\":\"w" + i + " \"");
        assertThat(all).contains("\"model\":\"burst\"").endsWith("data: [DONE]\n\n");
        // one upstream write of ~4 KB reaches the gateway in a few reads (Netty starts with 2 KB read buffers): far
        // fewer writes to the client than the EVENTS + 2 that a write per event made
        assertThat(chunks.size()).isLessThanOrEqualTo(EVENTS / 2);
    }

    @Test
    void eventsThatArriveApartStillLeaveOneByOne() throws Exception {
        // slow-stream: 200 chunks, 25 ms apart — each upstream read holds one event, so each goes out at once
        List<String> chunks = chunksOf("slow-burst");
        assertThat(chunks.size()).isGreaterThan(100);
    }

    /** The HTTP chunks (the gateway's writes) of a streamed chat answer for {@code model}, read over a raw socket. */
    private static List<String> chunksOf(String model) throws Exception {
        String body = Harness.chat(model, true, "hi");
        try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer "
                    + Harness.CLIENT_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int head = text.indexOf("\r\n\r\n");
            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(text.substring(0, head).toLowerCase(java.util.Locale.ROOT)).contains("transfer-encoding: chunked");
            List<String> chunks = new ArrayList<>();
            int i = head + 4;
            while (true) {
                int eol = text.indexOf("\r\n", i);
                int size = Integer.parseInt(text.substring(i, eol).trim(), 16);
                if (size == 0) break;
                chunks.add(text.substring(eol + 2, eol + 2 + size));
                i = eol + 2 + size + 2;
            }
            return chunks;
        }
    }
}
