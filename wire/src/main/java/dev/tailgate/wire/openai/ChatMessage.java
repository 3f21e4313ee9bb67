package dev.tailgate.wire.openai;

import java.util.List;

/**
 * One entry of {@code messages[]}. {@code text} is the string content, or the text parts joined, or null;
 * {@code parts} is empty when the content was a plain string.
 */
public record ChatMessage(String role, String text, List<ContentPart> parts, List<ToolCall> toolCalls, String toolCallId, String name) {}
