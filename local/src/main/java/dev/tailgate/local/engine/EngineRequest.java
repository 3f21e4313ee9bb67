package dev.tailgate.local.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** What a job asks of an engine. The chat body is the OpenAI request as received (model already resolved). */
public sealed interface EngineRequest {

    record Chat(ObjectNode body) implements EngineRequest {}

    record Embed(List<String> inputs) implements EngineRequest {}
}
