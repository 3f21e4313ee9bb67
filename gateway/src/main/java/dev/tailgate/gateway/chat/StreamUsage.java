package dev.tailgate.gateway.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;

/**
 * The one place that asks a streaming chat upstream for its final usage chunk ({@code stream_options.include_usage}).
 * The gateway always asks (the ledger needs the numbers); a caller that did not ask itself does not get the chunk
 * (the relays hold it back, see {@code UsageFields.usageOnlyChunk}).
 */
public final class StreamUsage {
    private StreamUsage() {}

    /** Whether the request itself asks for the usage chunk. */
    public static boolean asked(JsonNode chatRequest) {
        return chatRequest.path("stream_options").path("include_usage").asBoolean(false);
    }

    /** Sets the flag on {@code chatRequest} in place (keeping other {@code stream_options}). */
    public static void ask(ObjectNode chatRequest) {
        JsonNode so = chatRequest.get("stream_options");
        (so instanceof ObjectNode o ? o : chatRequest.putObject("stream_options")).put("include_usage", true);
    }

    /**
     * The client's body {@code raw} (parsed: {@code body}) asking for the usage chunk. Without {@code stream_options}
     * the member is inserted after the opening brace, so every other byte stays exactly as the client sent it;
     * otherwise the body is re-serialised with the flag set.
     */
    public static Buffer ask(ObjectNode body, Buffer raw) {
        if (!body.has("stream_options")) {
            byte[] in = raw.getBytes();
            int brace = 0;
            while (brace < in.length && in[brace] != '{') brace++;
            if (brace < in.length) {
                boolean empty = body.isEmpty();
                Buffer out = Buffer.buffer(in.length + 40).appendBytes(in, 0, brace + 1)
                        .appendString("\"stream_options\":{\"include_usage\":true}" + (empty ? "" : ","));
                return out.appendBytes(in, brace + 1, in.length - brace - 1);
            }
        }
        ObjectNode copy = body.deepCopy();
        ask(copy);
        return Buffer.buffer(Json.bytes(copy));
    }
}
