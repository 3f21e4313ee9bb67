package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeysCommandTest {
    @TempDir
    Path tmp;

    Path clients() {
        return tmp.resolve("clients.yaml");
    }

    String create(String... args) {
        List<String> all = new ArrayList<>(List.of("keys", "create"));
        all.addAll(List.of(args));
        all.addAll(List.of("--clients", clients().toString(), "--quiet"));
        CliRun r = CliRun.of(all.toArray(String[]::new));
        assertThat(r.code()).as(r.toString()).isZero();
        return r.out().strip();
    }

    @Test
    void aKeyIsTgPlus32RandomBytesInBase64Url() {
        String key = ClientKey.generate(new SecureRandom());
        assertThat(key).startsWith("tg-").hasSize(3 + 43).matches("tg-[A-Za-z0-9_-]+");
        assertThat(Base64.getUrlDecoder().decode(key.substring(3))).hasSize(32);
        assertThat(ClientKey.generate(new SecureRandom())).isNotEqualTo(key);
    }

    @Test
    void sha256HexIsTheStandardDigest() {
        // echo -n abc | sha256sum
        assertThat(ClientKey.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ClientKey.matches("abc", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")).isTrue();
        assertThat(ClientKey.matches("abd", ClientKey.sha256Hex("abc"))).isFalse();
        assertThat(ClientKey.matches("abc", "not-hex")).isFalse();
    }

    @Test
    void createWritesTheHashNeverTheKeyAndTheKeyVerifies() throws Exception {
        String key = create("laptop", "--private", "--models", "qwen,embeddings");
        assertThat(key).startsWith("tg-");

        String text = Files.readString(clients());
        assertThat(text).doesNotContain(key).doesNotContain(key.substring(3));

        JsonNode entry = ClientsFile.YAML.readTree(text).path("clients").path("laptop");
        assertThat(entry.path("key_sha256").asText()).isEqualTo(ClientKey.sha256Hex(key)).hasSize(64);
        assertThat(ClientKey.matches(key, entry.path("key_sha256").asText())).isTrue();
        assertThat(entry.path("private").asBoolean()).isTrue();
        assertThat(entry.path("models")).extracting(JsonNode::asText).containsExactly("qwen", "embeddings");
    }

    @Test
    void withoutOptionsAKeyIsNotPrivateAndMayUseEveryModel() throws Exception {
        create("ci");
        JsonNode entry = ClientsFile.YAML.readTree(clients().toFile()).path("clients").path("ci");
        assertThat(entry.path("private").asBoolean(true)).isFalse();
        assertThat(entry.path("models")).extracting(JsonNode::asText).containsExactly("*");
    }

    @Test
    void theFullOutputShowsTheKeyOnceAndWhereItIsStored() {
        CliRun r = CliRun.of("keys", "create", "desk", "--clients", clients().toString());
        assertThat(r.code()).isZero();
        String key = r.out().lines().map(String::strip).filter(l -> l.startsWith("tg-")).findFirst().orElseThrow();
        assertThat(r.out().split(java.util.regex.Pattern.quote(key), -1)).hasSize(2);
        assertThat(r.out()).contains(clients().toString());
    }

    @Test
    void aDuplicateNameIsRefusedAndTheFileIsUntouched() throws Exception {
        String first = create("laptop");
        String before = Files.readString(clients());

        CliRun dup = CliRun.of("keys", "create", "laptop", "--clients", clients().toString());
        assertThat(dup.code()).isEqualTo(Main.FAILURE);
        assertThat(dup.err()).contains("a client named 'laptop' already exists").contains("keys rm laptop --clients " + clients().toAbsolutePath().normalize());
        assertThat(dup.out()).doesNotContain("tg-");
        assertThat(Files.readString(clients())).isEqualTo(before);
        assertThat(ClientKey.matches(first, ClientsFile.load(clients()).keySha256("laptop"))).isTrue();
    }

    @Test
    void aBadNameIsAUsageError() {
        CliRun r = CliRun.of("keys", "create", "no spaces", "--clients", clients().toString());
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("not allowed");
        assertThat(clients()).doesNotExist();
    }

    @Test
    void anEmptyModelListIsAUsageErrorNotEveryModel() {
        CliRun r = CliRun.of("keys", "create", "a", "--models", "", "--clients", clients().toString());
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--models needs at least one");
        assertThat(clients()).doesNotExist();
    }

    @Test
    void homeAndClientsAreExclusive() {
        CliRun r = CliRun.of("keys", "create", "a", "--clients", clients().toString(), "--home", tmp.toString());
        assertThat(r.code()).isEqualTo(Main.USAGE);
    }

    @Test
    void adminKeysAreMarkedInTheFileAndTheList() throws Exception {
        create("ops", "--admin");
        create("ci");
        JsonNode clients = ClientsFile.YAML.readTree(clients().toFile()).path("clients");
        assertThat(clients.path("ops").path("admin").asBoolean(false)).isTrue();
        assertThat(clients.path("ci").has("admin")).as("ordinary entries stay as they were").isFalse();
        List<String> lines = CliRun.of("keys", "list", "--clients", clients().toString()).out().lines().toList();
        assertThat(lines.getFirst()).containsPattern("PRIVATE +ADMIN +MODELS");
        assertThat(lines.get(1)).matches("ops +no +yes +\\*.*");
        assertThat(lines.get(2)).matches("ci +no +no +\\*.*");
    }

    @Test
    void listShowsNamesPrivacyAndModelsButNotWholeHashes() {
        String key = create("laptop", "--private");
        create("ci", "--models", "embeddings");
        CliRun r = CliRun.of("keys", "list", "--clients", clients().toString());
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("NAME").contains("PRIVATE", "MODELS");
        assertThat(lines.get(1)).startsWith("laptop").contains("yes", "*");
        assertThat(lines.get(2)).startsWith("ci").contains("no", "embeddings");
        assertThat(r.out()).doesNotContain(ClientKey.sha256Hex(key)).doesNotContain(key)
                .contains("sha256:" + ClientKey.sha256Hex(key).substring(0, 8));
    }

    @Test
    void rmRemovesOnlyThatClientAndKeepsUnknownFields() throws Exception {
        Files.writeString(clients(), """
                clients:
                  old: {key: "env:OLD_KEY", private: true, models: ["*"], note: "hand-written"}
                  gone: {key_sha256: "00", private: false}
                """);
        CliRun r = CliRun.of("keys", "rm", "gone", "--clients", clients().toString());
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode root = ClientsFile.YAML.readTree(clients().toFile());
        assertThat(root.path("clients").has("gone")).isFalse();
        assertThat(root.path("clients").path("old").path("note").asText()).isEqualTo("hand-written");
        assertThat(root.path("clients").path("old").path("key").asText()).isEqualTo("env:OLD_KEY");

        CliRun again = CliRun.of("keys", "rm", "gone", "--clients", clients().toString());
        assertThat(again.code()).isEqualTo(Main.FAILURE);
        assertThat(again.err()).contains("no client named 'gone'");
    }

    @Test
    void withAHomeTheClientsFileNamedByGatewayYamlIsUsed() throws Exception {
        Files.writeString(tmp.resolve("gateway.yaml"), "listen: 127.0.0.1:8080\nclients_file: keys/my-clients.yaml\n");
        CliRun r = CliRun.of("keys", "create", "x", "--home", tmp.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(tmp.resolve("keys/my-clients.yaml")).exists();
        assertThat(tmp.resolve("clients.yaml")).doesNotExist();
    }

    @Test
    void anEmptyListSaysHowToCreateAKeyInThatSameFile() throws Exception {
        CliRun inHome = CliRun.of("keys", "list", "--home", tmp.toString());
        assertThat(inHome.out()).contains("Create one with: tailgate keys create NAME --home " + tmp);
        Path odd = Files.writeString(tmp.resolve("team keys.yaml"), "clients: {}\n");
        CliRun inFile = CliRun.of("keys", "list", "--clients", odd.toString());
        assertThat(inFile.out()).contains("Create one with: tailgate keys create NAME --clients '" + odd + "'");
    }

    @Test
    void invalidYamlIsRefusedWithItsLine() throws Exception {
        Files.writeString(clients(), "clients:\n  a: {key_sha256: \"x\"\n  b: [\n");
        CliRun r = CliRun.of("keys", "create", "c", "--clients", clients().toString());
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("is not valid YAML").contains("line");
    }

    @Test
    void concurrentCreatesLoseNoEntry() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "c" + i;
                keys.add(pool.submit(() -> create(name)));
            }
            ClientsFile cf;
            List<String> got = new ArrayList<>();
            for (Future<String> f : keys) got.add(f.get(30, TimeUnit.SECONDS));
            cf = ClientsFile.load(clients());
            assertThat(cf.clients()).hasSize(n);
            for (int i = 0; i < n; i++) assertThat(ClientKey.matches(got.get(i), cf.keySha256("c" + i))).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void renderedFileQuotesAwkwardNamesAndRoundTrips() throws Exception {
        ClientsFile.update(clients(), cf -> {
            cf.add("true", "aa", false, false, List.of("*"), "");
            cf.add("my.laptop-2", "bb", true, false, List.of("qwen*", "embeddings"), "");
        });
        JsonNode root = ClientsFile.YAML.readTree(clients().toFile());
        assertThat(root.path("clients").path("true").path("key_sha256").asText()).isEqualTo("aa");
        assertThat(root.path("clients").path("my.laptop-2").path("models").get(0).asText()).isEqualTo("qwen*");
    }
}
