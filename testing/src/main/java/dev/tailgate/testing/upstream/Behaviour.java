package dev.tailgate.testing.upstream;

/** How the fake upstream answers one request; chosen by the request's model name (see {@link FakeOpenAiUpstream}). */
@FunctionalInterface
public interface Behaviour {
    void respond(FakeExchange exchange);
}
