package dev.tailgate.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Status-page sessions: random tokens, found only through the cookie, expire after the TTL, bounded in number. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminSessionsTest {
    final MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
    final AdminSessions sessions = new AdminSessions(clock);

    static String cookie(String token) {
        return "other=1; " + AdminSessions.COOKIE + "=" + token + "; theme=dark";
    }

    @Test
    void aSessionLastsTwelveHoursAndLogoutEndsIt() {
        String token = sessions.open("tg-admin");
        assertThat(token).hasSizeGreaterThanOrEqualTo(43).doesNotContain("tg-admin");
        assertThat(sessions.key(cookie(token))).isEqualTo("tg-admin");
        assertThat(sessions.key(cookie(token + "x"))).isNull();
        assertThat(sessions.key("other=1")).isNull();
        assertThat(sessions.key(null)).isNull();
        clock.advance(AdminSessions.TTL.minus(Duration.ofSeconds(1)));
        assertThat(sessions.key(cookie(token))).isEqualTo("tg-admin");
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.key(cookie(token))).as("expired").isNull();
        assertThat(AdminSessions.TTL).isEqualTo(Duration.ofHours(12));

        String again = sessions.open("tg-admin");
        assertThat(again).isNotEqualTo(token);
        sessions.close(cookie(again));
        assertThat(sessions.key(cookie(again))).isNull();
    }

    @Test
    void atMost64SessionsTheOldestIsDropped() {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < AdminSessions.MAX_SESSIONS + 1; i++) tokens.add(sessions.open("k" + i));
        assertThat(sessions.key(cookie(tokens.getFirst()))).isNull();
        assertThat(sessions.key(cookie(tokens.get(1)))).isEqualTo("k1");
        assertThat(sessions.key(cookie(tokens.getLast()))).isEqualTo("k" + AdminSessions.MAX_SESSIONS);
        assertThat(AdminSessions.MAX_SESSIONS).isEqualTo(64);
    }
}
