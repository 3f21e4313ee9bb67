package dev.tailgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which chunk counts as the finishing one (a stream that then ends without [DONE] is complete, not cut). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChatSseReaderFinishTest {
    private static boolean finishes(String json) {
        return ChatSseReader.hasFinishReason(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aStringFinishReasonFinishesWhateverTheSpacing() {
        assertThat(finishes("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}")).isTrue();
        assertThat(finishes("{\"choices\":[{\"finish_reason\" :\t\r\n \"length\"}]}")).isTrue();
        assertThat(finishes("{\"a\":{\"finish_reason\":null},\"b\":{\"finish_reason\":\"stop\"}}")).as("a later one").isTrue();
    }

    @Test
    void nullMissingOrQuotedInTextDoesNot() {
        assertThat(finishes("{\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}")).isFalse();
        assertThat(finishes("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}")).isFalse();
        assertThat(finishes("{\"choices\":[{\"delta\":{\"content\":\"say \\\"finish_reason\\\": \\\"x\\\"\"}}]}")).isFalse();
        assertThat(finishes("{\"finish_reason\"")).isFalse();
        assertThat(finishes("{\"finish_reason\": ")).isFalse();
    }
}
