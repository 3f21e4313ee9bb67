package dev.tailgate.wire.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a service's config when one of its files changes — checked by {@link #poll()}, which the service calls every
 * 2 seconds — and on SIGHUP. A file that fails to load is logged with its reason and the running config stays. Both
 * services (gateway.yaml and local.yaml) reload through this one class; one SIGHUP reloads every watcher in the process
 * ({@code up} runs both services in one JVM, and the JVM keeps a single handler per signal).
 *
 * @param <C> the validated config type
 */
public final class ConfigWatcher<C> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final List<ConfigWatcher<?>> ON_SIGHUP = new CopyOnWriteArrayList<>();
    private static volatile Boolean sighupInstalled;

    private final String name;
    private final Supplier<C> load;
    private final Consumer<C> install;
    private final Function<C, List<Path>> files;
    private volatile List<Path> watched;
    private volatile List<String> fingerprint;
    private volatile String lastReload;

    /**
     * @param name    what the log calls it ("gateway config", "local.yaml")
     * @param load    loads and validates the files; throws {@link ConfigException} (or another runtime exception) to refuse
     * @param install applies a loaded config; may throw to refuse it (the running one stays)
     * @param files   the files a config was read from (watched for changes; absent ones count as "missing")
     */
    public ConfigWatcher(String name, C current, Supplier<C> load, Consumer<C> install, Function<C, List<Path>> files) {
        this.name = name;
        this.load = load;
        this.install = install;
        this.files = files;
        this.watched = files.apply(current);
        this.fingerprint = fingerprint();
    }

    /** Registers this watcher for SIGHUP, where the platform allows it; returns whether SIGHUP reloads. */
    public boolean onSighup() {
        if (!installSighup()) return false;
        ON_SIGHUP.add(this);
        return true;
    }

    private static synchronized boolean installSighup() {
        if (sighupInstalled == null) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> ON_SIGHUP.forEach(w -> w.reload("SIGHUP")));
                sighupInstalled = true;
            } catch (Throwable e) {
                LOG.info("SIGHUP reload not available on this platform ({})", e.getMessage());
                sighupInstalled = false;
            }
        }
        return sighupInstalled;
    }

    /** What triggered the last successful reload ("SIGHUP", "file change", "request"), or null. */
    public String lastReload() {
        return lastReload;
    }

    /** Reloads when a watched file changed since the last look. */
    public void poll() {
        if (!fingerprint().equals(fingerprint)) reload("file change");
    }

    /** Loads and installs the config; on failure keeps the running one. Returns whether it was installed. */
    public synchronized boolean reload(String why) {
        fingerprint = fingerprint();
        try {
            C c = load.get();
            watched = files.apply(c);
            fingerprint = fingerprint();
            install.accept(c);
            lastReload = why;
            LOG.info("{} reloaded ({})", name, why);
            return true;
        } catch (ConfigException e) {
            LOG.error("{} reload ({}) refused, keeping the running config: {}", name, why, e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.error("{} reload ({}) failed, keeping the running config: {}", name, why, e.toString());
            return false;
        }
    }

    /** Stops reloading on SIGHUP (the service is closing). */
    @Override
    public void close() {
        ON_SIGHUP.remove(this);
    }

    private List<String> fingerprint() {
        List<String> f = new ArrayList<>();
        for (Path p : watched) {
            if (p == null) continue;
            try {
                f.add(p + "@" + Files.getLastModifiedTime(p).toMillis() + "/" + Files.size(p));
            } catch (IOException e) {
                f.add(p + "@missing");
            }
        }
        return f.stream().map(Objects::toString).distinct().toList();
    }
}
