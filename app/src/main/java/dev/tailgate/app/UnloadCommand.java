package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tailgate unload MODEL}: frees an idle model's memory now, through qwen-local's admin endpoint (internal key). */
@Command(name = "unload", description = "Unload an idle model from qwen-local now (it loads again on its next request).",
        mixinStandardHelpOptions = true)
public final class UnloadCommand implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "Tailgate home (default: $TAILGATE_HOME or ~/.tailgate).")
    Path home;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A model id of local.yaml (see tailgate ps).")
    String model;

    @Override
    public Integer call() throws InterruptedException {
        Path h = Home.resolve(home);
        String url = HomeAddresses.of(h).localUrl();
        ObjectNode body = Json.object();
        body.put("model", model);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(StatusCommand.base(url) + "/admin/unload")).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        String key = LocalServiceLink.readKey(h);
        if (key != null) req.header("Authorization", "Bearer " + key);
        HttpResponse<byte[]> resp;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UserError("qwen-local at " + url + " did not answer (" + Main.describe(e) + "); is tailgate up running?");
        }
        JsonNode answer;
        try {
            answer = Json.parse(resp.body());
        } catch (Json.BadJsonException e) {
            throw new UserError("qwen-local at " + url + " answered HTTP " + resp.statusCode() + " without JSON");
        }
        if (resp.statusCode() != 200) {
            throw new UserError("qwen-local refused: " + answer.path("error").path("message").asText("HTTP " + resp.statusCode()));
        }
        spec.commandLine().getOut().println(answer.path("was_loaded").asBoolean(true)
                ? "unloaded " + model + " (it loads again on its next request)"
                : model + " was not loaded; nothing to do");
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
