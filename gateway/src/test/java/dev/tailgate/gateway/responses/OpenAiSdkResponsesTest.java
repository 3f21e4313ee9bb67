package dev.tailgate.gateway.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official openai-java SDK reads our Responses objects and events, with strict validation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiSdkResponsesTest {

    private static OpenAIClient client(TestGateway gateway) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(TestGateway.KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void nonStreamedResponseValidates() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("SDK hello"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            Response response = client(gateway).responses().create(ResponseCreateParams.builder().model("qwen").input("hi").build());
            response.validate();
            assertEquals("SDK hello", response.output().getFirst().asMessage().content().getFirst().asOutputText().text());
            assertEquals(15, response.usage().orElseThrow().totalTokens());
        }
    }

    @Test
    void streamedEventsValidate() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("streamed via the SDK"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            List<ResponseStreamEvent> events = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            try (StreamResponse<ResponseStreamEvent> stream = client(gateway).responses()
                    .createStreaming(ResponseCreateParams.builder().model("qwen").input("hi").build())) {
                stream.stream().forEach(event -> {
                    event.validate();
                    events.add(event);
                    event.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                });
            }
            assertEquals("streamed via the SDK", text.toString());
            assertTrue(events.getFirst().isCreated());
            ResponseStreamEvent last = events.getLast();
            assertTrue(last.isCompleted(), last.toString());
            assertEquals("streamed via the SDK",
                    last.asCompleted().response().output().getFirst().asMessage().content().getFirst().asOutputText().text());
        }
    }
}
