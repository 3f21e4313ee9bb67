package dev.tailgate.local.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models directory as the CLI sees it: which hub files a name means, what is on disk, and removal.
 * Downloads themselves are {@link ModelPuller}'s job.
 */
public final class ModelStore {
    private static final List<String> HELPER_SUFFIXES = List.of(".sha256", ".partial", ".partial.info", ".lock", ".tmp");

    private final StoreConfig config;

    public ModelStore(StoreConfig config) {
        this.config = config;
    }

    public Path modelsDir() {
        return config.modelsDir();
    }

    public StoreConfig config() {
        return config;
    }

    /** A file to fetch, with its absolute destination. */
    public record Planned(HfSource source, Path target) {}

    /**
     * What {@code pull NAME} fetches: an {@code hf://} source as given; a model in local.yaml with a {@code source}
     * (its {@code file} names the destination); else a catalog entry (a configured {@code file} still wins for the name).
     */
    public List<Planned> plan(String name) throws PullException {
        if (HfSource.looksLikeSource(name)) {
            HfSource source;
            try {
                source = HfSource.parse(name);
            } catch (IllegalArgumentException e) {
                throw new PullException(PullException.Kind.UNKNOWN_MODEL, e.getMessage());
            }
            return List.of(new Planned(source, inModelsDir(source.fileName())));
        }
        StoreConfig.ConfiguredModel configured = config.models().get(name);
        if (configured != null && configured.source() != null) {
            HfSource source;
            try {
                source = HfSource.parse(configured.source());
            } catch (IllegalArgumentException e) {
                throw new PullException(PullException.Kind.UNKNOWN_MODEL, "models." + name + ".source in " + config.home().resolve(StoreConfig.CONFIG_FILE) + ": " + e.getMessage());
            }
            Path target = configured.file() != null ? configured.file() : inModelsDir(source.fileName());
            return List.of(new Planned(source, target));
        }
        Optional<ModelCatalog.Entry> entry = ModelCatalog.find(name);
        if (entry.isPresent()) {
            List<ModelCatalog.Item> items = entry.get().items();
            if (items.size() == 1 && configured != null && configured.file() != null) {
                return List.of(new Planned(items.getFirst().source(), configured.file()));
            }
            return items.stream().map(i -> new Planned(i.source(), inModelsDir(i.localName()))).toList();
        }
        StringBuilder known = new StringBuilder();
        for (ModelCatalog.Entry e : ModelCatalog.entries()) known.append(known.isEmpty() ? "" : ", ").append(e.name());
        throw new PullException(PullException.Kind.UNKNOWN_MODEL, "unknown model '" + name + "': not in the catalog (" + known
                + "), not a model with a source in " + config.home().resolve(StoreConfig.CONFIG_FILE) + ", and not an hf://OWNER/REPO/FILE source");
    }

    /** A file in the models directory. {@code sha256} is null for partial downloads (not hashed). */
    public record StoredFile(Path file, long size, String sha256, boolean partial, List<String> usedBy) {}

    /** Model files (and unfinished downloads) in the models directory, by name. */
    public List<StoredFile> list() throws IOException {
        Path dir = config.modelsDir();
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        List<StoredFile> out = new ArrayList<>();
        for (Path f : files) {
            String n = f.getFileName().toString();
            if (n.startsWith(".")) continue;
            if (n.endsWith(".partial")) {
                Path target = f.resolveSibling(n.substring(0, n.length() - ".partial".length()));
                out.add(new StoredFile(f, Files.size(f), null, true, usedBy(target)));
                continue;
            }
            if (HELPER_SUFFIXES.stream().anyMatch(n::endsWith)) continue;
            out.add(new StoredFile(f, Files.size(f), ChecksumSidecar.sha256(f), false, usedBy(f)));
        }
        return out;
    }

    /** Configured models whose file is missing from disk (so {@code list} can say what to pull). */
    public List<StoreConfig.ConfiguredModel> missing() {
        return config.models().values().stream().filter(m -> m.file() != null && !Files.isRegularFile(m.file())).toList();
    }

    private List<String> usedBy(Path file) {
        Path normal = file.toAbsolutePath().normalize();
        return config.models().values().stream().filter(m -> normal.equals(m.file())).map(StoreConfig.ConfiguredModel::name).toList();
    }

    /** A deleted model file (with its sidecars and any partial download). */
    public record Removed(Path file, long bytes) {}

    /**
     * Removes a model by model name (configured, catalog) or by file name in the models directory, along with its
     * checksum sidecar and unfinished download. Refuses while a pull of that file holds the lock.
     */
    public List<Removed> remove(String name) throws PullException {
        List<Path> targets = new ArrayList<>();
        if (!name.contains("/") && !name.contains("\\") && !name.equals("..") && !name.equals(".")
                && exists(inModelsDir(name))) {
            targets.add(inModelsDir(name));
        } else {
            try {
                for (Planned p : plan(name)) targets.add(p.target());
            } catch (PullException e) {
                throw new PullException(PullException.Kind.UNKNOWN_MODEL, "nothing to remove: no file or model named '" + name + "' in " + config.modelsDir());
            }
        }
        List<Removed> removed = new ArrayList<>();
        for (Path target : targets) {
            if (!target.toAbsolutePath().normalize().startsWith(config.modelsDir())) {
                throw new PullException(PullException.Kind.DISK, target + " is outside the models directory " + config.modelsDir() + "; not removing it");
            }
            if (!exists(target)) continue;
            try (PullLock ignored = PullLock.acquire(target)) {
                long bytes = 0;
                for (Path p : List.of(target, ModelPuller.partialFor(target))) {
                    if (Files.isRegularFile(p)) bytes += Files.size(p);
                }
                Files.deleteIfExists(target);
                Files.deleteIfExists(ModelPuller.partialFor(target));
                Files.deleteIfExists(ModelPuller.partialInfoFor(target));
                Files.deleteIfExists(ChecksumSidecar.sidecarFor(target));
                removed.add(new Removed(target, bytes));
            } catch (IOException e) {
                throw new PullException(PullException.Kind.DISK, "cannot remove " + target + ": " + e.getMessage(), e);
            }
            try {
                Files.deleteIfExists(PullLock.lockFileFor(target)); // safe now: no pull held it a moment ago
            } catch (IOException ignored) {
                // a leftover empty lock file is harmless
            }
        }
        if (removed.isEmpty()) {
            throw new PullException(PullException.Kind.NOT_FOUND, "nothing to remove: '" + name + "' is not downloaded in " + config.modelsDir());
        }
        return removed;
    }

    private static boolean exists(Path target) {
        return Files.isRegularFile(target) || Files.isRegularFile(ModelPuller.partialFor(target));
    }

    private Path inModelsDir(String fileName) {
        return config.modelsDir().resolve(fileName).normalize();
    }
}
