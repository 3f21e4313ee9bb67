package dev.tailgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;

/** A {@code tools[]} entry: {@code {"type": "function", "function": {"name", "description", "parameters"}}}. */
public record ToolDefinition(String type, String name, String description, JsonNode parameters) {}
