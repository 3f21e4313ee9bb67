package dev.tailgate.gateway.http;

import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.auth.AdminSessions;
import dev.tailgate.gateway.auth.Authenticator;
import dev.tailgate.gateway.auth.Caller;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who may see the admin views ({@code /admin/*}, the details of {@code /status}, the status page): a client key with
 * {@code admin: true}, presented as a header (as every client key) or through a status-page session cookie. The
 * cookie counts only here, never on {@code /v1}: a browser sends cookies on its own, and model requests must carry
 * their key explicitly.
 */
public final class AdminGate {
    /** What a request presented: nothing, a key that is not valid, a valid non-admin key, or an admin key. */
    public enum Verdict { NO_KEY, INVALID_KEY, NOT_ADMIN, ADMIN }

    public record Check(Verdict verdict, Caller caller) {
        public boolean admin() {
            return verdict == Verdict.ADMIN;
        }
    }

    private final Gateway gateway;
    private final AdminSessions sessions;

    public AdminGate(Gateway gateway, AdminSessions sessions) {
        this.gateway = gateway;
        this.sessions = sessions;
    }

    public AdminSessions sessions() {
        return sessions;
    }

    public Check check(HttpServerRequest req) {
        String key = Authenticator.presentedKey(req.headers());
        if (key == null) key = sessions.key(req.getHeader("Cookie"));
        return check(key);
    }

    /** Checks a key as typed into the status page's login form. */
    public Check check(String key) {
        if (key == null || key.isEmpty()) return new Check(Verdict.NO_KEY, null);
        Caller c = gateway.snapshot().authenticator().authenticate(key);
        if (c == null) return new Check(Verdict.INVALID_KEY, null);
        return new Check(c.admin() ? Verdict.ADMIN : Verdict.NOT_ADMIN, c);
    }
}
