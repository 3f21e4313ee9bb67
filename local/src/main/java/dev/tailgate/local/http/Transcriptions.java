package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.local.sched.Rejected;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.sched.Ticket;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /v1/audio/transcriptions and /v1/audio/translations: a multipart upload (the {@code file} at most 25 MiB, as
 * the OpenAI API), answered in any {@code response_format}, or as {@code transcript.text.delta}/{@code done} SSE
 * events with {@code stream=true}. Decoding happens in the worker: audio FFmpeg cannot read comes back as a 400 that
 * says why.
 */
final class Transcriptions {
    private static final Logger LOG = LoggerFactory.getLogger(Transcriptions.class);
    static final long MAX_FILE_BYTES = 25L << 20;
    /** The file plus the other form fields and the multipart framing. */
    static final long MAX_FORM_BYTES = MAX_FILE_BYTES + (256 << 10);
    static final int MAX_PROMPT_CHARS = 4096;

    private final Scheduler scheduler;

    Transcriptions(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void handle(Exchange ex, HttpMethod method, boolean translate) {
        HttpServerRequest req = ex.request;
        if (method != HttpMethod.POST) {
            ex.error(ApiError.methodNotAllowed("Use POST for " + req.path() + "."));
            return;
        }
        String type = req.getHeader("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            ex.error(ApiError.badRequest("Expected a multipart/form-data body with a 'file' field.", "file"));
            return;
        }
        String declared = req.getHeader("content-length");
        if (declared != null && parseLong(declared) > MAX_FORM_BYTES) {
            tooLarge(ex);
            return;
        }
        Buffer file = Buffer.buffer();
        boolean[] state = {false, false}; // refused, got a file
        req.setExpectMultipart(true);
        req.uploadHandler(upload -> receive(ex, upload, file, state));
        req.exceptionHandler(e -> LOG.debug("transcription upload failed: {}", e.toString()));
        req.endHandler(v -> {
            if (state[0]) return;
            try {
                submit(ex, req.formAttributes(), state[1] ? file.getBytes() : null, translate);
            } catch (BadRequest e) {
                ex.error(e.error);
            } catch (RuntimeException e) {
                LOG.error("unexpected error on POST {}", req.path(), e);
                ex.error(ApiError.internal("Internal error in qwen-local; see its log."));
            }
        });
    }

    private void receive(Exchange ex, HttpServerFileUpload upload, Buffer file, boolean[] state) {
        if (!upload.name().equals("file") || state[1]) {
            upload.handler(b -> {}); // other file fields are read and dropped
            return;
        }
        state[1] = true;
        upload.handler(chunk -> {
            if (state[0]) return;
            if ((long) file.length() + chunk.length() > MAX_FILE_BYTES) {
                state[0] = true;
                tooLarge(ex);
                return;
            }
            file.appendBuffer(chunk);
        });
    }

    private static void tooLarge(Exchange ex) {
        ex.response.putHeader("connection", "close");
        ex.error(new ApiError(413, "invalid_request_error", "request_too_large", "The audio file is larger than the limit of "
                + MAX_FILE_BYTES + " bytes (25 MiB).", "file", null)).onComplete(r -> ex.request.connection().close());
    }

    private void submit(Exchange ex, MultiMap form, byte[] audio, boolean translate) {
        String model = form.get("model");
        if (model == null || model.isBlank()) throw BadRequest.of("Missing required parameter: 'model'.", "model");
        ex.model = model;
        if (audio == null) throw BadRequest.of("Missing required parameter: 'file'.", "file");
        TranscriptFormats format = format(form.get("response_format"));
        String language = translate ? null : language(form.get("language"));
        String prompt = form.get("prompt");
        if (prompt != null && prompt.length() > MAX_PROMPT_CHARS) {
            throw BadRequest.of("Invalid 'prompt': at most " + MAX_PROMPT_CHARS + " characters.", "prompt");
        }
        double temperature = temperature(form.get("temperature"));
        boolean stream = bool(form.get("stream"), "stream");
        if (stream && format != TranscriptFormats.JSON && format != TranscriptFormats.TEXT) {
            throw BadRequest.of("Streaming is only available with response_format json or text.", "stream");
        }
        TranscriptFormats.Timestamps timestamps = timestamps(form.getAll("timestamp_granularities[]"), format);
        ex.stream = stream;
        ModelConfig cfg = scheduler.model(model);
        if (cfg == null) throw new BadRequest(ApiError.modelNotFound(model));
        if (cfg.capability() != Capability.TRANSCRIPTION) {
            throw BadRequest.of("Model '" + model + "' is a " + cfg.capability().wireName()
                    + " model, not a transcription model: wrong capability for " + ex.request.path() + ".", "model");
        }
        JobListener responder = stream ? new StreamResponder(ex) : new Responder(ex, format, translate ? "translate" : "transcribe", timestamps);
        try {
            Ticket ticket = scheduler.submit(model, new EngineRequest.Transcribe(audio, language, prompt, temperature, translate,
                    timestamps.words()), responder);
            ex.cancelWhenClientLeaves(ticket);
        } catch (Rejected r) {
            ex.error(r.error());
        }
    }

    private static TranscriptFormats format(String v) {
        if (v == null || v.isBlank()) return TranscriptFormats.JSON;
        TranscriptFormats f = TranscriptFormats.fromWire(v);
        if (f == null) {
            throw BadRequest.of("Invalid 'response_format': '" + Speech.printable(v)
                    + "' (expected one of json, text, srt, vtt, verbose_json).", "response_format");
        }
        return f;
    }

    /**
     * timestamp_granularities[]: "segment" (the default), "word", or both. Words come only in verbose_json, as with
     * the OpenAI API, which refuses them in any other format.
     */
    private static TranscriptFormats.Timestamps timestamps(List<String> granularities, TranscriptFormats format) {
        boolean segment = granularities.isEmpty();
        boolean word = false;
        for (String g : granularities) {
            switch (g) {
                case "segment" -> segment = true;
                case "word" -> word = true;
                default -> throw BadRequest.of("Invalid 'timestamp_granularities[]': '" + Speech.printable(g)
                        + "' (expected 'segment' or 'word').", "timestamp_granularities");
            }
        }
        if (word && format != TranscriptFormats.VERBOSE_JSON) {
            throw BadRequest.of("timestamp_granularities[] 'word' needs response_format 'verbose_json'.", "timestamp_granularities");
        }
        return new TranscriptFormats.Timestamps(segment, word);
    }

    private static String language(String v) {
        if (v == null || v.isBlank()) return null;
        if (!v.matches("[a-z]{2,3}")) {
            throw BadRequest.of("Invalid 'language': expected an ISO-639-1 code such as 'en' (got '" + Speech.printable(v) + "').", "language");
        }
        return v;
    }

    private static double temperature(String v) {
        if (v == null || v.isBlank()) return 0;
        double t;
        try {
            t = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw BadRequest.of("Invalid 'temperature': expected a number between 0 and 1.", "temperature");
        }
        if (!(t >= 0 && t <= 1)) throw BadRequest.of("Invalid 'temperature': expected a number between 0 and 1.", "temperature");
        return t;
    }

    private static boolean bool(String v, String field) {
        if (v == null || v.isBlank() || v.equals("false")) return false;
        if (v.equals("true")) return true;
        throw BadRequest.of("Invalid '" + field + "': expected true or false.", field);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One answer in the requested format. */
    private static final class Responder implements JobListener {
        private final Exchange ex;
        private final TranscriptFormats format;
        private final String task;
        private final TranscriptFormats.Timestamps timestamps;
        private volatile Transcript transcript;

        Responder(Exchange ex, TranscriptFormats format, String task, TranscriptFormats.Timestamps timestamps) {
            this.ex = ex;
            this.format = format;
            this.task = task;
            this.timestamps = timestamps;
        }

        @Override
        public void onTranscript(Transcript t) {
            transcript = t;
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            Transcript t = transcript;
            ex.onContext(() -> {
                if (t == null) {
                    ex.error(ApiError.internal("The engine finished without a transcript."));
                    return;
                }
                ex.text(200, format.contentType, format.render(t, task, timestamps));
            });
        }

        @Override
        public void onError(EngineFailure failure) {
            ex.onContext(() -> ex.error(Failures.toApiError(failure)));
        }
    }

    /**
     * stream=true: one transcript.text.delta per segment as the engine decodes it (the response starts with the first
     * segment, not at the end of the file), then transcript.text.done with the text and usage.
     */
    private static final class StreamResponder implements JobListener {
        private final Exchange ex;
        private final SseEventStream events;
        private volatile Transcript transcript;

        StreamResponder(Exchange ex) {
            this.ex = ex;
            this.events = new SseEventStream(ex);
        }

        @Override
        public void onDelta(String text) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                ObjectNode d = Json.object();
                d.put("type", "transcript.text.delta");
                d.put("delta", text);
                events.send(d);
            });
        }

        @Override
        public void onTranscript(Transcript t) {
            transcript = t;
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            Transcript t = transcript;
            ex.onContext(() -> {
                if (ex.finished()) return;
                if (t == null) {
                    onError(new EngineFailure(EngineFailure.Kind.ENGINE_ERROR, "The engine finished without a transcript."));
                    return;
                }
                ObjectNode done = Json.object();
                done.put("type", "transcript.text.done");
                done.put("text", t.text());
                done.set("usage", TranscriptFormats.usage(t));
                events.finish(done);
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
