package dev.tailgate.gateway.health;

import java.net.URI;
import java.util.Locale;

/**
 * What to probe for one provider.
 *
 * @param baseUrl the provider's {@code base_url} (e.g. {@code http://127.0.0.1:8081/v1})
 * @param apiKey  the resolved key, sent as a bearer token; null sends none. Never logged or shown.
 * @param kind    {@link Kind#QWEN_STATUS}: GET {@code <base without /v1>/status} and read per-model states;
 *                {@link Kind#MODELS}: GET {@code <base>/models}; {@link Kind#OFF}: no probe (the breaker alone judges)
 */
public record ProbeTarget(String provider, URI baseUrl, String apiKey, Kind kind) {

    public enum Kind {
        QWEN_STATUS, MODELS, OFF;

        /** Config key {@code health_check}: {@code qwen-status | models | off | auto} (auto: qwen-status when local). */
        public static Kind parse(String text, boolean local) {
            if (text == null || text.isBlank() || text.equalsIgnoreCase("auto")) return local ? QWEN_STATUS : MODELS;
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "qwen-status", "status" -> QWEN_STATUS;
                case "models" -> MODELS;
                case "off", "none", "false" -> OFF; // YAML 1.1 reads a bare off as false
                default -> throw new IllegalArgumentException("health_check '" + text + "' is not one of auto, qwen-status, models, off");
            };
        }
    }

    @Override
    public String toString() {
        return "ProbeTarget[" + provider + " " + baseUrl + " " + kind + "]"; // never the key
    }

    URI probeUri() {
        String base = baseUrl.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return switch (kind) {
            case QWEN_STATUS -> URI.create((base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base) + "/status");
            case MODELS, OFF -> URI.create(base + "/models");
        };
    }
}
