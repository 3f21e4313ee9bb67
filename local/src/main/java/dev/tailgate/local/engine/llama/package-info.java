/**
 * llama.cpp engines through java-llama.cpp 4.2.0 (llama.cpp b4916), with the library's sharp edges kept away:
 *
 * <ul>
 *   <li>architectures this build cannot run (qwen3, ...) are refused from the GGUF header before the native loader
 *       sees the file ({@link dev.tailgate.local.engine.llama.GgufHeader},
 *       {@link dev.tailgate.local.engine.llama.SupportedArchitectures});
 *   <li>empty prompts and MEAN pooling, which abort the process, are never passed; JSON schemas go through llama.cpp's
 *       guarded request path, not {@code LlamaModel.jsonSchemaToGrammar} (which aborts on a bad schema);
 *   <li>native logs go to SLF4J, the native library is unpacked once per content
 *       ({@link dev.tailgate.local.engine.llama.LlamaNative});
 *   <li>{@code close()} does not free the native context in this library version: run engines in worker processes.
 * </ul>
 *
 * Chat requests: {@code messages} (string or text-part content; roles system/developer/user/assistant/tool),
 * {@code max_tokens}/{@code max_completion_tokens}, {@code temperature}, {@code top_p}, {@code seed}, {@code stop}
 * (string or list), {@code frequency_penalty}, {@code presence_penalty}, {@code response_format} (text, json_object,
 * json_schema). {@code n} must be 1; {@code tools} are refused.
 */
package dev.tailgate.local.engine.llama;
