package dev.tailgate.local.http;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns an embeddings input given as a token array back into text. OpenAI clients (LangChain's {@code OpenAIEmbeddings}
 * by default) tokenize with tiktoken's {@code cl100k_base} before sending; our models have their own vocabularies, so
 * the ids are decoded with OpenAI's vocabulary and the text is embedded like any other input.
 */
final class Cl100kTokens {
    /** The vocabulary is read once, on first use (a few MB), not at start-up. */
    private static final class Holder {
        static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    private Cl100kTokens() {}

    /** True when {@code item} is a token array: a non-empty array whose first element is a number. */
    static boolean isTokenArray(JsonNode item) {
        return item.isArray() && !item.isEmpty() && item.get(0).isNumber();
    }

    /**
     * Decodes one token array; {@code at} names it in errors ("input" or "input[3]").
     *
     * @throws BadRequest when an element is not an integer or is not a cl100k_base token id
     */
    static String decode(JsonNode tokens, String at) {
        if (tokens.isEmpty()) throw BadRequest.of("Invalid '" + at + "': must not be empty.", "input");
        IntArrayList ids = new IntArrayList(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode t = tokens.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt()) {
                throw BadRequest.of("Invalid '" + at + "[" + i + "]': expected an integer token id.", "input");
            }
            ids.add(t.asInt());
        }
        try {
            return Holder.CL100K.decode(ids);
        } catch (RuntimeException unknownId) {
            // jtokkit reports an id outside the vocabulary as an exception naming the id; find it for the message.
            for (int i = 0; i < ids.size(); i++) {
                IntArrayList one = new IntArrayList(1);
                one.add(ids.get(i));
                try {
                    Holder.CL100K.decodeBytes(one);
                } catch (RuntimeException e) {
                    throw BadRequest.of("Invalid '" + at + "[" + i + "]': " + ids.get(i)
                            + " is not a cl100k_base token id.", "input");
                }
            }
            throw BadRequest.of("Invalid '" + at + "': not a cl100k_base token array.", "input");
        }
    }
}
