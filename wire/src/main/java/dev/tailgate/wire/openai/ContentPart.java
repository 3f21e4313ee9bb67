package dev.tailgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;

/** One part of a message's content array ({@code text}, {@code image_url}, {@code input_audio}, ...). {@code raw} keeps everything. */
public record ContentPart(String type, String text, JsonNode raw) {}
