package dev.tailgate.gateway.config;

import dev.tailgate.wire.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config when its file (or the clients file, or a {@code clients.yaml} that appears beside it) changes —
 * checked by {@link #poll()}, which the server calls every 2 seconds — and on SIGHUP. A file that fails to load is
 * logged with its reason and the running config stays.
 */
public final class ConfigWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path configFile;
    private final ConfigLoader loader;
    private final Consumer<GatewayConfig> install;
    private volatile List<Object> fingerprint;
    private volatile Path clientsFile;
    private volatile String lastReload;

    public ConfigWatcher(Path configFile, ConfigLoader loader, GatewayConfig current, Consumer<GatewayConfig> install) {
        this.configFile = configFile.toAbsolutePath().normalize();
        this.loader = loader;
        this.install = install;
        this.clientsFile = current.clientsFile();
        this.fingerprint = fingerprint();
    }

    /** Installs SIGHUP → reload, where the platform allows it; returns whether it did. */
    public boolean onSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reload("SIGHUP"));
            return true;
        } catch (Throwable e) {
            LOG.info("SIGHUP reload not available on this platform ({})", e.getMessage());
            return false;
        }
    }

    /** What triggered the last successful reload ("SIGHUP", "file change", "request"), or null. */
    public String lastReload() {
        return lastReload;
    }

    /** Reloads when a watched file changed since the last look. */
    public void poll() {
        List<Object> now = fingerprint();
        if (!now.equals(fingerprint)) reload("file change");
    }

    /** Loads and installs the config; on failure keeps the running one. Returns whether it was installed. */
    public synchronized boolean reload(String why) {
        fingerprint = fingerprint();
        try {
            GatewayConfig c = loader.load(configFile);
            clientsFile = c.clientsFile();
            fingerprint = fingerprint();
            install.accept(c);
            lastReload = why;
            c.warnings().forEach(w -> LOG.warn("config: {}", w));
            LOG.info("config reloaded ({}): {} providers, {} models, {} clients", why, c.providers().size(), c.models().size(), c.clients().size());
            return true;
        } catch (ConfigException e) {
            LOG.error("config reload ({}) refused, keeping the running config: {}", why, e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.error("config reload ({}) failed, keeping the running config: {}", why, e.toString());
            return false;
        }
    }

    private List<Object> fingerprint() {
        List<Object> f = new ArrayList<>();
        Path dir = configFile.getParent();
        for (Path p : new Path[] {configFile, clientsFile, dir == null ? null : dir.resolve("clients.yaml")}) {
            if (p == null) continue;
            try {
                f.add(p + "@" + Files.getLastModifiedTime(p).toMillis() + "/" + Files.size(p));
            } catch (IOException e) {
                f.add(p + "@missing");
            }
        }
        return f.stream().map(Objects::toString).distinct().map(o -> (Object) o).toList();
    }
}
