package dev.tailgate.wire.openai;

/** An assistant message's {@code tool_calls[]} entry. {@code arguments} is the JSON-encoded string the wire carries. */
public record ToolCall(String id, String type, String functionName, String arguments) {}
