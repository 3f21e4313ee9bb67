/**
 * What the Responses ({@code /v1/responses}) and Messages ({@code /v1/messages}) bridges share: serving a translated
 * request through the gateway's chat path ({@link dev.tailgate.gateway.bridge.BridgedChat}), reading a chat stream
 * chunk by chunk ({@link dev.tailgate.gateway.bridge.ChatStreamTranslator}), and reading chat completions
 * ({@link dev.tailgate.gateway.bridge.ChatMessage}, {@link dev.tailgate.gateway.bridge.ToolCallDelta}). Each bridge
 * keeps only what is its own API's shape.
 */
package dev.tailgate.gateway.bridge;
