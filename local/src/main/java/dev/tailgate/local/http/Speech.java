package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.local.engine.audio.SpeechEncoder;
import dev.tailgate.local.engine.speech.SpeechVoices;
import dev.tailgate.local.sched.Rejected;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.sched.Ticket;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import java.util.Base64;

/**
 * POST /v1/audio/speech and GET /v1/audio/voices. Audio is sent as it is made: the engine's waveform is encoded here
 * ({@link SpeechEncoder}) and the response starts with the first encoded piece (chunked), or as SSE
 * {@code speech.audio.delta} events with {@code stream_format: "sse"}. WAV and FLAC without SSE come in one piece, so
 * their headers carry the real sizes.
 */
final class Speech {
    static final int MAX_INPUT_CHARS = 4096;
    static final double MIN_SPEED = 0.25;
    static final double MAX_SPEED = 4.0;

    private final Scheduler scheduler;

    Speech(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void handle(Exchange ex, byte[] body) {
        ObjectNode req = Requests.object(body);
        String model = Requests.requiredString(req, "model");
        ex.model = model;
        String input = input(req.get("input"));
        String voice = Requests.requiredString(req, "voice");
        AudioFormat format = format(req.get("response_format"));
        double speed = speed(req.get("speed"));
        boolean sse = streamFormat(req.get("stream_format"));
        JsonNode instructions = req.get("instructions");
        if (instructions != null && !instructions.isNull() && !instructions.isTextual()) {
            throw BadRequest.of("Invalid type for 'instructions': expected a string.", "instructions");
        }
        ex.stream = sse;
        ModelConfig cfg = scheduler.model(model);
        if (cfg == null) throw new BadRequest(ApiError.modelNotFound(model));
        if (cfg.capability() != Capability.SPEECH) {
            throw BadRequest.of("Model '" + model + "' is a " + cfg.capability().wireName()
                    + " model, not a speech model: wrong capability for /v1/audio/speech.", "model");
        }
        var voices = SpeechVoices.of(cfg.engine(), cfg.file());
        // no voices at all (a file missing): the scheduler refuses the model as unavailable, saying which file
        if (!voices.isEmpty() && !voices.containsKey(voice)) {
            throw BadRequest.of("Invalid 'voice': '" + printable(voice) + "' is not a voice of model '" + model
                    + "' (voices: " + String.join(", ", voices.sequencedKeySet()) + ").", "voice");
        }
        boolean incremental = sse || (format != AudioFormat.WAV && format != AudioFormat.FLAC);
        JobListener responder = new SpeechEncoder(format, incremental, sse ? new SseResponder(ex) : new AudioResponder(ex, format));
        try {
            Ticket ticket = scheduler.submit(model, new EngineRequest.Speech(input, voice, speed), responder);
            ex.cancelWhenClientLeaves(ticket);
        } catch (Rejected r) {
            ex.error(r.error());
        }
    }

    /** GET /v1/audio/voices: every speech model's voices ({@code ?model=} narrows it to one). */
    ObjectNode voices(String onlyModel) {
        ObjectNode root = Json.object();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ModelConfig m : scheduler.models()) {
            if (m.capability() != Capability.SPEECH || (onlyModel != null && !onlyModel.equals(m.id()))) continue;
            SpeechVoices.of(m.engine(), m.file()).forEach((name, engineVoice) -> {
                ObjectNode v = data.addObject();
                v.put("id", name);
                v.put("object", "voice");
                v.put("model", m.id());
                v.put("engine_voice", engineVoice);
            });
        }
        return root;
    }

    private static String input(JsonNode v) {
        if (v == null || v.isNull()) throw BadRequest.of("Missing required parameter: 'input'.", "input");
        if (!v.isTextual()) throw BadRequest.of("Invalid type for 'input': expected a string.", "input");
        String s = v.asText();
        if (s.isBlank()) throw BadRequest.of("Invalid 'input': must not be empty.", "input");
        if (s.length() > MAX_INPUT_CHARS) {
            throw BadRequest.of("Invalid 'input': string too long. Expected a string with maximum length " + MAX_INPUT_CHARS
                    + ", but got a string with length " + s.length() + " instead.", "input");
        }
        return s;
    }

    private static AudioFormat format(JsonNode v) {
        if (v == null || v.isNull()) return AudioFormat.MP3;
        if (!v.isTextual()) throw BadRequest.of("Invalid type for 'response_format': expected a string.", "response_format");
        return AudioFormat.fromWire(v.asText()).orElseThrow(() -> BadRequest.of("Invalid 'response_format': '"
                + printable(v.asText()) + "' (expected one of " + AudioFormat.wireNames() + ").", "response_format"));
    }

    private static double speed(JsonNode v) {
        if (v == null || v.isNull()) return 1.0;
        if (!v.isNumber()) throw BadRequest.of("Invalid type for 'speed': expected a number.", "speed");
        double s = v.asDouble();
        if (!(s >= MIN_SPEED && s <= MAX_SPEED)) {
            throw BadRequest.of("Invalid 'speed': " + s + " is outside " + MIN_SPEED + " to " + MAX_SPEED + ".", "speed");
        }
        return s;
    }

    /** True for "sse", false for "audio" (the default). */
    private static boolean streamFormat(JsonNode v) {
        if (v == null || v.isNull()) return false;
        if (v.isTextual() && v.asText().equals("audio")) return false;
        if (v.isTextual() && v.asText().equals("sse")) return true;
        throw BadRequest.of("Invalid 'stream_format': expected 'audio' or 'sse'.", "stream_format");
    }

    /** A client-supplied value fit to quote in an error: no control characters, at most 64 characters. */
    static String printable(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "…" : clean;
    }

    /** Raw audio: headers with the first piece, then each piece as it comes. */
    private static final class AudioResponder implements JobListener {
        private final Exchange ex;
        private final AudioFormat format;
        private boolean started; // event loop only

        AudioResponder(Exchange ex, AudioFormat format) {
            this.ex = ex;
            this.format = format;
        }

        @Override
        public void onAudio(byte[] chunk) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                if (!started) {
                    started = true;
                    ex.response.setStatusCode(200).setChunked(true).putHeader("content-type", format.contentType);
                }
                ex.response.write(Buffer.buffer(chunk));
            });
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                if (!started) ex.response.setStatusCode(200).putHeader("content-type", format.contentType);
                ex.response.end();
            });
        }

        @Override
        public void onError(EngineFailure failure) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                if (!started) {
                    ex.error(Failures.toApiError(failure));
                    return;
                }
                // Half a file must not look like a whole one: break the connection instead of ending the body.
                ex.response.reset();
            });
        }
    }

    /** {@code stream_format: "sse"}: speech.audio.delta events with base64 audio, then speech.audio.done. */
    private static final class SseResponder implements JobListener {
        private final Exchange ex;
        private final SseEventStream events;

        SseResponder(Exchange ex) {
            this.ex = ex;
            this.events = new SseEventStream(ex);
        }

        @Override
        public void onAudio(byte[] chunk) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                ObjectNode e = Json.object();
                e.put("type", "speech.audio.delta");
                e.put("audio", Base64.getEncoder().encodeToString(chunk));
                events.send(e);
            });
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                ObjectNode e = Json.object();
                e.put("type", "speech.audio.done");
                ObjectNode u = e.putObject("usage");
                int in = usage == null ? 0 : usage.promptTokens();
                u.put("input_tokens", in);
                u.put("output_tokens", 0);
                u.put("total_tokens", in);
                events.finish(e);
            });
        }

        @Override
        public void onError(EngineFailure failure) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                events.fail(Failures.toApiError(failure));
            });
        }
    }
}
