package dev.tailgate.app;

import dev.tailgate.local.engine.server.LlamaServerBinary;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The default configs {@code ./tailgate up} writes into a fresh home. The YAML lives as resources next to this
 * class (comments included, so the written files explain themselves); existing files are never overwritten.
 */
public final class DefaultConfigs {
    public static final String GATEWAY = "gateway.yaml";
    public static final String LOCAL = "local.yaml";
    public static final String CLIENTS = "clients.yaml";

    private DefaultConfigs() {}

    /**
     * The default chat model: a Qwen3 GGUF on llama.cpp's llama-server when one is installed (it runs current
     * models), else Qwen2.5-0.5B on the embedded llama.cpp (whose b4916 cannot load qwen3).
     */
    public enum ChatModel {
        EMBEDDED("qwen2.5-0.5b-instruct", "chat-llama.cpp.yaml"),
        LLAMA_SERVER("qwen3-8b", "chat-llama-server.yaml");

        final String id;
        final String block;

        ChatModel(String id, String block) {
            this.id = id;
            this.block = block;
        }

        public String id() {
            return id;
        }

        /** llama-server when one is found the way qwen-local finds it. */
        public static ChatModel detect() {
            return LlamaServerBinary.find().isPresent() ? LLAMA_SERVER : EMBEDDED;
        }
    }

    /** The default gateway config text for the embedded chat model. */
    public static String gatewayYaml() {
        return gatewayYaml(ChatModel.EMBEDDED);
    }

    /** The default gateway config text: the {@code qwen} alias targets {@code chat}. */
    public static String gatewayYaml(ChatModel chat) {
        return resource(GATEWAY).replace("{{CHAT_MODEL_ID}}", chat.id);
    }

    /** The default qwen-local config text for the embedded chat model, with {@code models_dir} pointing into {@code home}. */
    public static String localYaml(Path home) {
        return localYaml(home, ChatModel.EMBEDDED);
    }

    /** The default qwen-local config text with {@code chat} as its chat model. */
    public static String localYaml(Path home, ChatModel chat) {
        // JSON string quoting is valid YAML double-quoted scalar syntax: safe for spaces, '#', ':' in paths.
        return resource(LOCAL).replace("{{MODELS_DIR}}", Json.string(home.resolve("models").toString()))
                .replace("{{CHAT_MODEL}}", resource(chat.block));
    }

    /** An empty clients file (the header comment says what belongs there). */
    public static String clientsYaml() {
        return resource(CLIENTS);
    }

    /**
     * Writes each default file that does not exist yet (and the {@code models} and {@code tmp} folders).
     * Returns the names of the files written, so the caller can tell a first start from a later one.
     */
    public static List<String> writeMissing(Path home) {
        List<String> written = new ArrayList<>();
        try {
            Files.createDirectories(home);
            Files.createDirectories(home.resolve("models"));
            Files.createDirectories(home.resolve("tmp"));
            ChatModel chat = ChatModel.detect();
            if (writeIfAbsent(home.resolve(GATEWAY), gatewayYaml(chat))) written.add(GATEWAY);
            if (writeIfAbsent(home.resolve(LOCAL), localYaml(home, chat))) written.add(LOCAL);
        } catch (IOException e) {
            throw new UserError("cannot write the default configs into " + home + ": " + e.getMessage());
        }
        return written;
    }

    private static boolean writeIfAbsent(Path file, String text) throws IOException {
        if (Files.exists(file)) return false;
        AtomicFiles.write(file, text);
        return true;
    }

    private static String resource(String name) {
        try (InputStream in = DefaultConfigs.class.getResourceAsStream("defaults/" + name)) {
            if (in == null) throw new IllegalStateException("default config " + name + " missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
