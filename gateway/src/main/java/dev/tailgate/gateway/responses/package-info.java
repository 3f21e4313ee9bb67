/**
 * {@code POST /v1/responses} — the OpenAI Responses API on a gateway whose upstreams speak chat completions.
 * Codex CLI (custom providers accept only {@code wire_api = "responses"}) is the client this is built and tested for.
 *
 * <h2>Routing</h2>
 * If every target of the requested model is a provider with {@code responses_api: true}, the request is passed through
 * unchanged except {@code model} ({@link dev.tailgate.gateway.responses.ResponsesPassthroughRelay}); otherwise it is
 * bridged: {@link dev.tailgate.gateway.responses.ResponsesRequestTranslator} → the gateway's chat path
 * ({@link dev.tailgate.gateway.chat.ChatCaller}: auth, privacy, target selection, limits, fallback, timeouts) →
 * {@link dev.tailgate.gateway.responses.ChatToResponses} or {@link dev.tailgate.gateway.responses.ResponsesStreamBridge}.
 * A WebSocket handshake on the path gets 426, on which Codex falls back to HTTP + SSE.
 *
 * <h2>Request mapping (stateless: the client re-sends the whole conversation every turn)</h2>
 * <ul>
 *   <li>{@code instructions} → first system message; {@code developer} messages → system; adjacent system messages are
 *       joined (several chat templates accept only one leading system message).</li>
 *   <li>message content parts {@code input_text}/{@code output_text} → text (a plain string when all parts are text),
 *       {@code input_image} → {@code image_url} part (user messages only).</li>
 *   <li>{@code function_call} / {@code custom_tool_call} → assistant {@code tool_calls} (consecutive calls, and the
 *       assistant text right before them, share one message); {@code *_output} → {@code tool} messages.</li>
 *   <li>{@code reasoning} items this bridge emitted (reasoning_text content) go back as {@code reasoning_content} of the
 *       assistant turn they precede (DeepSeek thinking mode requires it for tool-call turns); other reasoning items and
 *       unknown item types are dropped; {@code item_reference}, {@code previous_response_id},
 *       {@code conversation}, {@code background} are refused (400): nothing is stored.</li>
 *   <li>the history is repaired for strict upstreams ({@link dev.tailgate.gateway.responses.ToolMessagePairing}): a call
 *       without output gets a placeholder output, an output without its call becomes a user message.</li>
 *   <li>tools: {@code function} → function; {@code custom} (freeform, e.g. Codex's {@code apply_patch}) → a function
 *       with one string parameter {@code input} whose calls come back as {@code custom_tool_call}; {@code namespace}
 *       → its functions, flattened to {@code <namespace>__<name>} and mapped back with their namespace; built-in tools
 *       (web_search, …) are dropped. Names are sanitised to the chat limit ({@link dev.tailgate.gateway.responses.ToolNameMap}).</li>
 *   <li>{@code max_output_tokens} → {@code max_tokens}; {@code temperature}, {@code top_p}, {@code tool_choice},
 *       {@code parallel_tool_calls} (only with tools); {@code text.format} → {@code response_format};
 *       {@code stream} → {@code stream} + {@code stream_options.include_usage}.</li>
 * </ul>
 *
 * <h2>Streaming</h2>
 * {@code response.created}, {@code response.in_progress}, then per item {@code output_item.added} → deltas →
 * {@code *.done} → {@code output_item.done}, and exactly one terminal event: {@code response.completed},
 * {@code response.incomplete} (finish_reason length/content_filter) or {@code error} + {@code response.failed}.
 * A failure before the first upstream chunk is a plain HTTP error (after the gateway's fallback). Items still open
 * when a stream fails are never reported done, so a client never executes a half-received tool call.
 */
package dev.tailgate.gateway.responses;
