package dev.tailgate.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one place that asks a streaming upstream for the usage chunk. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StreamUsageTest {
    private static ObjectNode parse(String json) {
        return (ObjectNode) Json.parse(json);
    }

    @Test
    void theClientsBytesStayAsTheyWereSentWithTheFlagInsertedUpFront() {
        String sent = "  {\"model\":\"qwen\", \"stream\":true,\"x\":1.50}";
        Buffer asked = StreamUsage.ask(parse(sent), Buffer.buffer(sent));
        assertThat(asked.toString()).isEqualTo("  {\"stream_options\":{\"include_usage\":true},\"model\":\"qwen\", \"stream\":true,\"x\":1.50}");
        assertThat(StreamUsage.asked(Json.parse(asked.toString()))).isTrue();
    }

    @Test
    void otherStreamOptionsAreKept() {
        String sent = "{\"model\":\"qwen\",\"stream_options\":{\"include_obfuscation\":false}}";
        ObjectNode asked = parse(StreamUsage.ask(parse(sent), Buffer.buffer(sent)).toString());
        assertThat(asked.path("stream_options").path("include_obfuscation").asBoolean(true)).isFalse();
        assertThat(StreamUsage.asked(asked)).isTrue();
    }

    @Test
    void anEmptyObjectGetsNoStrayComma() {
        assertThat(StreamUsage.ask(parse("{}"), Buffer.buffer("{}")).toString()).isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void aRequestThatDidNotAskHasNotAsked() {
        assertThat(StreamUsage.asked(parse("{\"stream_options\":{\"include_usage\":false}}"))).isFalse();
        assertThat(StreamUsage.asked(parse("{}"))).isFalse();
        ObjectNode chat = parse("{\"model\":\"m\"}");
        StreamUsage.ask(chat);
        assertThat(StreamUsage.asked(chat)).isTrue();
    }
}
