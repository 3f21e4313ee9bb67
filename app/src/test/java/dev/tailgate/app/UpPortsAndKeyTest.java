package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code up --port/--local-port}, the mismatch refusal, and the internal key's files (services faked). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpPortsAndKeyTest {
    @TempDir
    Path home;

    final FakeServices services = new FakeServices();

    CliRun up(String... extra) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == UpCommand.class) return cls.cast(new UpCommand(services, new SimulatedSignal()));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        String[] args = new String[extra.length + 4];
        args[0] = "up";
        args[1] = "--home";
        args[2] = home.toString();
        args[3] = "--no-pull";
        System.arraycopy(extra, 0, args, 4, extra.length);
        return CliRun.with(factory, args);
    }

    @Test
    void portOptionsReachBothServices() {
        CliRun r = up("--port", "18355", "--local-port", "18356");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(services.gatewayPort).isEqualTo(18355);
        assertThat(services.localPort).isEqualTo(18356);
        assertThat(r.out()).contains("gateway listening on port 18355").contains("qwen-local listening on port 18356")
                .contains("Base URL: http://127.0.0.1:18355/v1");
    }

    @Test
    void withoutOptionsTheConfigsListenDecides() {
        CliRun r = up();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(services.gatewayPort).isNull();
        assertThat(services.localPort).isNull();
    }

    @Test
    void aLocalProviderOnAnotherPortThanLocalYamlIsRefusedNamingBothFiles() throws Exception {
        DefaultConfigs.writeMissing(home);
        Path local = home.resolve("local.yaml");
        Files.writeString(local, Files.readString(local).replace("listen: 127.0.0.1:8081", "listen: 127.0.0.1:8091"));
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains(home.resolve("gateway.yaml").toString()).contains(local.toString())
                .contains("providers.local.base_url http://127.0.0.1:8081/v1").contains("listen port 8091")
                .contains("--local-port");
        assertThat(services.events).isEmpty(); // refused before anything started
    }

    @Test
    void theInternalKeyIsAMode600FileWhoseHashLocalYamlKeepsAndItSurvivesRestarts() throws Exception {
        CliRun first = up();
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("qwen-local answers only with its internal key");
        Path keyFile = home.resolve("local.key");
        String key = Files.readString(keyFile).trim();
        assertThat(key).matches("tg-[A-Za-z0-9_-]{43}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String localYaml = Files.readString(home.resolve("local.yaml"));
        assertThat(localYaml).doesNotContain(key).contains("api_key_sha256: " + ClientKey.sha256Hex(key));
        LocalConfig parsed = new ConfigLoader(LocalServer.ENGINES).load(home.resolve("local.yaml"));
        assertThat(parsed.apiKeySha256()).isEqualTo(ClientKey.sha256Hex(key));
        assertThat(first.out() + first.err()).doesNotContain(key);

        CliRun second = up();
        assertThat(second.out()).doesNotContain("internal key");
        assertThat(Files.readString(keyFile).trim()).isEqualTo(key);

        Files.delete(keyFile); // lost key: a new one, and the hash follows it (still one api_key_sha256 line)
        up();
        String renewed = Files.readString(keyFile).trim();
        assertThat(renewed).isNotEqualTo(key);
        String yaml = Files.readString(home.resolve("local.yaml"));
        assertThat(yaml).contains("api_key_sha256: " + ClientKey.sha256Hex(renewed));
        assertThat(yaml.split("api_key_sha256:", -1)).hasSize(2);
    }

    @Test
    void aBusyPortSaysToPickOtherPorts() {
        services.gatewayFailure = () -> Services.startFailure("the gateway", home.resolve("gateway.yaml"),
                new IllegalStateException("listen failed", new BindException("Address already in use")));
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        String home = " --home " + this.home.toAbsolutePath().normalize();
        assertThat(r.err()).contains("cannot listen").contains("tailgate up" + home + " --port N --local-port M")
                .contains("see tailgate status" + home + ")");
    }
}
