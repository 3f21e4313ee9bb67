package dev.tailgate.gateway.policy;

import java.util.Locale;

/** Why a target is not a candidate for a request. Audit rows carry {@link #code()}. */
public enum RejectReason {
    /** The request is private and the provider is not {@code local: true}. */
    EXTERNAL_PROVIDER_FOR_PRIVATE,
    /** The upstream model cannot do what the request needs. */
    CAPABILITY_MISSING,
    /** The estimated prompt is larger than the upstream model's context. */
    CONTEXT_TOO_SMALL,
    /** Health says the provider or model cannot take work now (down, circuit open, stuck, busy, saturated...). */
    UNHEALTHY,
    /** The model has {@code fallback: false} and an earlier target was chosen or was the only one allowed. */
    FALLBACK_DISABLED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
