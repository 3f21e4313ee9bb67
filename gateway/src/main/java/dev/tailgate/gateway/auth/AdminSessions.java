package dev.tailgate.gateway.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logins of the status page. A login trades an admin key for a random session token, which the browser keeps in an
 * HttpOnly cookie, so the key itself is never stored by the browser. The token maps to the key in memory only, and
 * every request re-authenticates that key: removing the key (or its {@code admin} flag) from the config ends its
 * sessions at the next reload. Bounded: at most {@value #MAX_SESSIONS} sessions (the oldest is dropped), each valid
 * for {@link #TTL}; a restart logs everyone out.
 */
public final class AdminSessions {
    public static final String COOKIE = "tailgate_session";
    public static final Duration TTL = Duration.ofHours(12);
    static final int MAX_SESSIONS = 64;

    private record Session(String key, Instant expires) {}

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new LinkedHashMap<>();

    public AdminSessions(Clock clock) {
        this.clock = clock;
    }

    /** Opens a session for {@code key} (already checked to be an admin key) and returns its token. */
    public synchronized String open(String key) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        if (sessions.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = sessions.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        sessions.put(token, new Session(key, clock.instant().plus(TTL)));
        return token;
    }

    /** The key behind the session cookie in a {@code Cookie} header, or null (no cookie, unknown or expired token). */
    public synchronized String key(String cookieHeader) {
        String token = token(cookieHeader);
        if (token == null) return null;
        Session s = sessions.get(token);
        if (s == null) return null;
        if (!clock.instant().isBefore(s.expires())) {
            sessions.remove(token);
            return null;
        }
        return s.key();
    }

    /** Ends the session named in a {@code Cookie} header, if any. */
    public synchronized void close(String cookieHeader) {
        String token = token(cookieHeader);
        if (token != null) sessions.remove(token);
    }

    static String token(String cookieHeader) {
        if (cookieHeader == null) return null;
        for (String part : cookieHeader.split(";")) {
            String p = part.trim();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1).trim();
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }
}
