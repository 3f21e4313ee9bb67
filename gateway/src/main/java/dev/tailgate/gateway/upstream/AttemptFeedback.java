package dev.tailgate.gateway.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * Passive health feedback from every real upstream attempt (the circuit breakers of the policy's health registry).
 * The {@link Dispatcher} asks {@link #begin} before taking a provider slot; an empty answer means the provider's
 * circuit is open (or half-open with its one trial out) and the target is skipped like a refused slot. Exactly one
 * outcome is then reported on the returned {@link Trial}.
 */
public interface AttemptFeedback {
    /** No breakers: every attempt goes ahead, outcomes are ignored. */
    AttemptFeedback NONE = provider -> Optional.of(new Trial() {
        @Override public void success() {}
        @Override public void failure(String error) {}
        @Override public void pause(String upstreamModel, Duration after, boolean rateLimited) {}
        @Override public void cancel() {}
    });

    Optional<Trial> begin(String provider);

    /** One attempt's verdict. {@code error} is the gateway's own short text, never an upstream body or a key. */
    interface Trial {
        /** The provider answered (a 4xx caused by the request counts: the provider itself is fine). */
        void success();

        /** Connect error, timeout, 5xx, broken stream. */
        void failure(String error);

        /**
         * 429/503 with Retry-After: send nothing more for {@code upstreamModel} of this provider until then (other
         * models are not affected). Not a verdict: one of the other calls follows.
         */
        void pause(String upstreamModel, Duration after, boolean rateLimited);

        /** Never sent, refused locally, or the client went away: no verdict. */
        void cancel();
    }
}
