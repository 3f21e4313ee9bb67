/**
 * {@code POST /v1/messages} — Anthropic's Messages API on a gateway whose upstreams speak chat completions, so that
 * Claude Code and the Anthropic SDKs use the same base URL, keys and routing policy as every other client.
 *
 * <h2>Routing</h2>
 * If every target of the requested model is a provider with {@code messages_api: true}, the request is passed through
 * unchanged except {@code model} ({@link dev.tailgate.gateway.messages.MessagesPassthrough}); otherwise it is bridged:
 * {@link dev.tailgate.gateway.messages.MessagesRequestTranslator} → the gateway's chat path
 * ({@link dev.tailgate.gateway.chat.ChatCaller}: auth, privacy, target selection, limits, fallback, timeouts, ledger)
 * → {@link dev.tailgate.gateway.messages.ChatToMessages} or {@link dev.tailgate.gateway.messages.MessagesStreamBridge}.
 * {@code POST /v1/messages/count_tokens} answers with the routing estimate ({@code PromptSize}); {@code GET /v1/models}
 * answers in Anthropic's shape when the request carries {@code anthropic-version}.
 *
 * <h2>Errors</h2>
 * Every refusal of these requests — the router's 401/404/413 included — is written by
 * {@link dev.tailgate.gateway.messages.AnthropicErrors} in Anthropic's shape with the statuses its SDKs map to error
 * classes (the gateway's 503 is Anthropic's 529 {@code overloaded_error}).
 *
 * <p>The full mapping is in {@code gateway/MESSAGES.md}.
 */
package dev.tailgate.gateway.messages;
