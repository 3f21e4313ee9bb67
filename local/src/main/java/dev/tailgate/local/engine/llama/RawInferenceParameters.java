package dev.tailgate.local.engine.llama;

import de.kherud.llama.InferenceParameters;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Sets request fields that java-llama.cpp 4.2.0 has no setter for. Needed for {@code json_schema}: passed this way,
 * llama.cpp converts the schema to a grammar inside a try/catch and reports a bad schema as an error, whereas the
 * library's public {@code LlamaModel.jsonSchemaToGrammar} lets the C++ exception escape and aborts the JVM.
 */
final class RawInferenceParameters {
    private static final Field PARAMETERS;

    static {
        try {
            PARAMETERS = InferenceParameters.class.getSuperclass().getDeclaredField("parameters");
            PARAMETERS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private RawInferenceParameters() {}

    /** Puts {@code rawJson} (already valid JSON) as the value of {@code key}. */
    @SuppressWarnings("unchecked")
    static void put(InferenceParameters params, String key, String rawJson) {
        try {
            ((Map<String, String>) PARAMETERS.get(params)).put(key, rawJson);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
