package dev.tailgate.gateway.it;

import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Parses a whole SSE body in tests. */
final class Sse {
    private Sse() {}

    static List<SseEvent> parse(String body) {
        List<SseEvent> out = new ArrayList<>();
        SseReader r = new SseReader(out::add);
        r.feed(body.getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
