package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official Java SDK (com.openai:openai-java) against the gateway. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OpenAiJavaConformanceTest {
    static Harness h;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        h = Harness.start();
        client = sdk(Harness.CLIENT_KEY);
    }

    @AfterAll
    static void stop() {
        client.close();
        h.close();
    }

    static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(h.base() + "/v1").apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void listsModels() {
        List<String> ids = new ArrayList<>();
        client.models().list().autoPager().forEach(m -> ids.add(m.id()));
        assertThat(ids).contains("qwen", "embed", "flaky");
        Model m = client.models().retrieve("qwen");
        assertThat(m.ownedBy()).isEqualTo("tailgate");
    }

    @Test
    void chatNonStream() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen").addUserMessage("hello java").temperature(0.2).build());
        assertThat(c.model()).isEqualTo("qwen");
        assertThat(c.choices().getFirst().message().content()).contains("echo: hello java");
        assertThat(c.usage().orElseThrow().totalTokens()).isPositive();
    }

    @Test
    void chatStreamDeltasInOrderWithUsage() {
        StringBuilder text = new StringBuilder();
        List<Long> usage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("qwen").addUserMessage("one two three four")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunk -> {
                assertThat(chunk.model()).isEqualTo("qwen");
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage.add(u.totalTokens()));
            });
        }
        assertThat(text.toString()).isEqualTo("echo: one two three four");
        assertThat(usage).hasSize(1);
        assertThat(usage.getFirst()).isPositive();
    }

    @Test
    void embeddingsDefaultAndFloat() {
        float[] expected = FakeOpenAiUpstream.vector("vectors please");
        CreateEmbeddingResponse def = client.embeddings().create(EmbeddingCreateParams.builder().model("embed").input("vectors please").build());
        assertThat(def.model()).isEqualTo("embed");
        List<Float> got = def.data().getFirst().embedding();
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) assertThat(got.get(i)).isEqualTo(expected[i]);

        CreateEmbeddingResponse fl = client.embeddings().create(EmbeddingCreateParams.builder().model("embed").input("vectors please")
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        List<Float> got2 = fl.data().getFirst().embedding();
        for (int i = 0; i < expected.length; i++) assertThat(got2.get(i)).isEqualTo(expected[i]);
    }

    @Test
    void errorsMapToTheSdkExceptionTypes() {
        OpenAIClient bad = sdk("not-a-valid-key");
        try {
            // the Java SDK's name for a 401 (the node SDK calls it AuthenticationError)
            assertThatThrownBy(() -> bad.models().list()).isInstanceOf(UnauthorizedException.class);
        } finally {
            bad.close();
        }
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("x").build())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("limited").addUserMessage("x").build())).isInstanceOf(RateLimitException.class);
    }

    @Test
    void aStreamBrokenMidwayIsAnErrorForTheSdkNotASilentEnd() {
        StringBuilder text = new StringBuilder();
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                    .model("cut").addUserMessage("x").build())) {
                s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
            }
        }).isInstanceOf(OpenAIException.class);
        assertThat(text.toString()).isNotEmpty();
    }
}
