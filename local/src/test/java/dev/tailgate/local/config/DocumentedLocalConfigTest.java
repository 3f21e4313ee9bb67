package dev.tailgate.local.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailgate.local.LocalServer;
import dev.tailgate.testing.DocTables;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import dev.tailgate.wire.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/local-config.md says what {@link ConfigLoader} does: it lists exactly the keys the loader accepts (read from
 * the loader's own unknown-key refusal, which names every known key), every engine it accepts, and each documented
 * default is the value a config without that key gets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocumentedLocalConfigTest {
    private static final DocTables DOC = DocTables.read("local-config.md");

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(LocalServer.ENGINES);

    private static Set<String> documented(String prefix) {
        return DOC.rows().keySet().stream()
                .filter(k -> prefix.isEmpty() ? !k.contains(".") : k.startsWith(prefix))
                .map(k -> k.substring(prefix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The keys the loader accepts where {@code yaml} puts an unknown one, from its "known: a, b" refusal. */
    private Set<String> accepted(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml, dir));
        Matcher m = Pattern.compile("unknown key \\(known: ([^)]*)\\)").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        return new TreeSet<>(Set.of(m.group(1).split(", ")));
    }

    @Test
    void everySectionListsExactlyTheKeysTheLoaderAccepts() {
        assertEquals(accepted("not_a_documented_key: 1\n"), documented(""), "top level");
        assertEquals(accepted("""
                models:
                  m: {capability: chat, engine: llama.cpp, not_a_documented_key: 1}
                """), documented("models.ID."), "models.ID");
        assertTrue(DOC.rows().keySet().stream().allMatch(k -> !k.contains(".") || k.startsWith("models.ID.")), DOC.rows().keySet()::toString);
    }

    @Test
    void everyRowHasTypeDefaultAndMeaning() {
        DOC.rows().values().forEach(r -> {
            assertEquals(4, r.cells().size(), r.key());
            r.cells().forEach(c -> assertTrue(!c.isBlank(), r.key()));
        });
    }

    @Test
    void theEngineRowNamesEveryEngineTheLoaderAccepts() {
        String engines = DOC.rows().get("models.ID.engine").cell(3);
        for (String engine : LocalServer.ENGINES.keySet()) assertTrue(engines.contains("`" + engine + "`"), engine);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                models:
                  m: {capability: chat, engine: not-an-engine}
                """, dir));
        assertTrue(e.getMessage().contains("unknown engine"), e.getMessage());
    }

    @Test
    void documentedDefaultsAreTheLoadersDefaults() throws ConfigException {
        LocalConfig c = loader.parse("""
                models:
                  m: {capability: chat, engine: llama.cpp}
                """, dir);
        ModelConfig m = c.models().getFirst();
        Map<String, Object> actual = new LinkedHashMap<>();
        actual.put("listen", c.host() + ":" + c.port());
        actual.put("models_dir", c.modelsDir());
        actual.put("max_request_bytes", c.maxRequestBytes());
        actual.put("shutdown_grace", c.shutdownGrace());
        actual.put("models.ID.context", m.context());
        actual.put("models.ID.max_concurrency", m.maxConcurrency());
        actual.put("models.ID.max_queue", m.maxQueue());
        actual.put("models.ID.keep_alive", m.keepAlive());
        actual.put("models.ID.stuck_after", m.stuckAfter());
        actual.forEach((key, value) -> {
            DocTables.Row row = DOC.rows().get(key);
            assertNotNull(row, key + " is documented");
            String doc = row.code(2);
            assertNotNull(doc, key + ": the default cell names a value");
            Object expected = switch (value) {
                case Path p -> ConfigLoader.expandHome(doc);
                case Duration d -> Durations.parse(doc);
                case Long l -> ByteSizes.parse(doc);
                case Integer i -> Integer.parseInt(doc);
                default -> doc;
            };
            assertEquals(expected, value, key + " default");
        });
        // said in words: logs beside models_dir, all cores, ¾ of memory, required capability/engine
        assertEquals(c.modelsDir().resolveSibling(DOC.rows().get("logs_dir").code(2)), c.logsDir());
        assertEquals(Runtime.getRuntime().availableProcessors(), m.threads());
        assertTrue(DOC.rows().get("models.ID.threads").cell(2).contains("all cores"));
        assertEquals("required", DOC.rows().get("models.ID.capability").cell(2));
        assertEquals("required", DOC.rows().get("models.ID.engine").cell(2));
        assertThrows(ConfigException.class, () -> loader.parse("models:\n  m: {engine: llama.cpp}\n", dir));
        assertThrows(ConfigException.class, () -> loader.parse("models:\n  m: {capability: chat}\n", dir));
    }
}
