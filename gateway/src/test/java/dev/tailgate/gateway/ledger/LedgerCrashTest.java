package dev.tailgate.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM writes rows and reports each acknowledged one; we kill -9 it mid-stream and check that every row it
 * reported as acknowledged is in the database. This is the "a crash loses no finished request" promise.
 */
@Timeout(120)
class LedgerCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRowSurvivesKillDashNine() throws Exception {
        Path db = dir.resolve("usage.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), LedgerCrashChild.class.getName(), db.toString(), "1000000")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process child = pb.start();
        int lastAcked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    lastAcked = Integer.parseInt(line.substring(6));
                    if (lastAcked >= 300) break; // mid-stream: the child is still writing
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close(), no flush
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(lastAcked).as("child acknowledged rows before being killed").isGreaterThanOrEqualTo(300);

        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT request_id FROM usage")) {
            while (rs.next()) ids.add(rs.getString(1));
        }
        for (int i = 1; i <= lastAcked; i++) {
            assertThat(ids).as("acknowledged row %d", i).contains("crash-" + i);
        }
        assertThat(List.copyOf(ids)).hasSizeGreaterThanOrEqualTo(lastAcked);
    }
}
