package dev.tailgate.local.engine.whisper;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tailgate.local.engine.EngineException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * whisper.cpp's C API (libwhisper, v1.7.1 — the build bundled in whisper-jni 1.7.1's jar) through the FFM API: the
 * one way this code base calls whisper. The struct layouts below are whisper.h's at tag v1.7.1 (commit ebca09a3,
 * whisper-jni 1.7.1's submodule); the library's sizes agree (its {@code *_default_params_by_ref} allocate 264 and 48
 * bytes), and {@link #get} refuses a library whose default parameters do not read back as v1.7.1's at these offsets,
 * so a different whisper.cpp build fails loudly instead of reading shifted fields.
 *
 * <p>One instance per process (libwhisper's log callback is global); contexts, states and calls are per model/job.
 */
final class WhisperLibrary {
    static final String VERSION = "v1.7.1";

    /** {@code struct whisper_context_params}. */
    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            JAVA_BOOLEAN.withName("use_gpu"),
            JAVA_BOOLEAN.withName("flash_attn"),
            MemoryLayout.paddingLayout(2),
            JAVA_INT.withName("gpu_device"),
            JAVA_BOOLEAN.withName("dtw_token_timestamps"),
            MemoryLayout.paddingLayout(3),
            JAVA_INT.withName("dtw_aheads_preset"),
            JAVA_INT.withName("dtw_n_top"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.structLayout(JAVA_LONG.withName("n_heads"), ADDRESS.withName("heads")).withName("dtw_aheads"),
            JAVA_LONG.withName("dtw_mem_size")).withName("whisper_context_params");

    /** {@code struct whisper_full_params}. */
    static final StructLayout FULL_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("strategy"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_max_text_ctx"),
            JAVA_INT.withName("offset_ms"),
            JAVA_INT.withName("duration_ms"),
            JAVA_BOOLEAN.withName("translate"),
            JAVA_BOOLEAN.withName("no_context"),
            JAVA_BOOLEAN.withName("no_timestamps"),
            JAVA_BOOLEAN.withName("single_segment"),
            JAVA_BOOLEAN.withName("print_special"),
            JAVA_BOOLEAN.withName("print_progress"),
            JAVA_BOOLEAN.withName("print_realtime"),
            JAVA_BOOLEAN.withName("print_timestamps"),
            JAVA_BOOLEAN.withName("token_timestamps"),
            MemoryLayout.paddingLayout(3),
            JAVA_FLOAT.withName("thold_pt"),
            JAVA_FLOAT.withName("thold_ptsum"),
            JAVA_INT.withName("max_len"),
            JAVA_BOOLEAN.withName("split_on_word"),
            MemoryLayout.paddingLayout(3),
            JAVA_INT.withName("max_tokens"),
            JAVA_BOOLEAN.withName("debug_mode"),
            MemoryLayout.paddingLayout(3),
            JAVA_INT.withName("audio_ctx"),
            JAVA_BOOLEAN.withName("tdrz_enable"),
            MemoryLayout.paddingLayout(3),
            ADDRESS.withName("suppress_regex"),
            ADDRESS.withName("initial_prompt"),
            ADDRESS.withName("prompt_tokens"),
            JAVA_INT.withName("prompt_n_tokens"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("language"),
            JAVA_BOOLEAN.withName("detect_language"),
            JAVA_BOOLEAN.withName("suppress_blank"),
            JAVA_BOOLEAN.withName("suppress_non_speech_tokens"),
            MemoryLayout.paddingLayout(1),
            JAVA_FLOAT.withName("temperature"),
            JAVA_FLOAT.withName("max_initial_ts"),
            JAVA_FLOAT.withName("length_penalty"),
            JAVA_FLOAT.withName("temperature_inc"),
            JAVA_FLOAT.withName("entropy_thold"),
            JAVA_FLOAT.withName("logprob_thold"),
            JAVA_FLOAT.withName("no_speech_thold"),
            MemoryLayout.structLayout(JAVA_INT.withName("best_of")).withName("greedy"),
            MemoryLayout.structLayout(JAVA_INT.withName("beam_size"), JAVA_FLOAT.withName("patience")).withName("beam_search"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("new_segment_callback"),
            ADDRESS.withName("new_segment_callback_user_data"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("encoder_begin_callback"),
            ADDRESS.withName("encoder_begin_callback_user_data"),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_user_data"),
            ADDRESS.withName("logits_filter_callback"),
            ADDRESS.withName("logits_filter_callback_user_data"),
            ADDRESS.withName("grammar_rules"),
            JAVA_LONG.withName("n_grammar_rules"),
            JAVA_LONG.withName("i_start_rule"),
            JAVA_FLOAT.withName("grammar_penalty"),
            MemoryLayout.paddingLayout(4)).withName("whisper_full_params");

    /** {@code whisper_token_data}: a decoded token with its probabilities and (token_timestamps) times in 10 ms. */
    static final StructLayout TOKEN_DATA = MemoryLayout.structLayout(
            JAVA_INT.withName("id"),
            JAVA_INT.withName("tid"),
            JAVA_FLOAT.withName("p"),
            JAVA_FLOAT.withName("plog"),
            JAVA_FLOAT.withName("pt"),
            JAVA_FLOAT.withName("ptsum"),
            JAVA_LONG.withName("t0"),
            JAVA_LONG.withName("t1"),
            JAVA_LONG.withName("t_dtw"),
            JAVA_FLOAT.withName("vlen"),
            MemoryLayout.paddingLayout(4)).withName("whisper_token_data");

    static final int SAMPLING_GREEDY = 0;
    /** ggml_log_level: what is kept of a load's log to explain a refused file. */
    private static final int LOG_WARN = 2;
    private static final int LOG_ERROR = 3;
    private static final int MAX_LOAD_LOG_CHARS = 400;

    private static WhisperLibrary instance;
    /** The log lines of the model load running on this thread (libwhisper logs a load on the loading thread). */
    private static final ThreadLocal<List<String>> LOAD_LOG = new ThreadLocal<>();

    private final MethodHandle contextDefaultParamsByRef;
    private final MethodHandle freeContextParams;
    private final MethodHandle initFromFileNoState;
    private final MethodHandle fullDefaultParamsByRef;
    private final MethodHandle freeParams;
    private final MethodHandle initState;
    private final MethodHandle freeState;
    private final MethodHandle free;
    private final MethodHandle isMultilingual;
    private final MethodHandle tokenize;
    private final MethodHandle tokenEot;
    private final MethodHandle langId;
    private final MethodHandle langStr;
    private final MethodHandle fullWithState;
    private final MethodHandle nSegments;
    private final MethodHandle segmentT0;
    private final MethodHandle segmentT1;
    private final MethodHandle segmentText;
    private final MethodHandle nTokens;
    private final MethodHandle tokenData;
    private final MethodHandle tokenText;
    private final MethodHandle fullLangId;
    /** whisper_full_default_params(GREEDY), copied once: every job starts from it. */
    private final MemorySegment greedyDefaults;

    private WhisperLibrary(SymbolLookup lib) throws EngineException {
        Linker linker = Linker.nativeLinker();
        contextDefaultParamsByRef = downcall(linker, lib, "whisper_context_default_params_by_ref", FunctionDescriptor.of(ADDRESS));
        freeContextParams = downcall(linker, lib, "whisper_free_context_params", FunctionDescriptor.ofVoid(ADDRESS));
        initFromFileNoState = downcall(linker, lib, "whisper_init_from_file_with_params_no_state",
                FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        fullDefaultParamsByRef = downcall(linker, lib, "whisper_full_default_params_by_ref", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        freeParams = downcall(linker, lib, "whisper_free_params", FunctionDescriptor.ofVoid(ADDRESS));
        initState = downcall(linker, lib, "whisper_init_state", FunctionDescriptor.of(ADDRESS, ADDRESS));
        freeState = downcall(linker, lib, "whisper_free_state", FunctionDescriptor.ofVoid(ADDRESS));
        free = downcall(linker, lib, "whisper_free", FunctionDescriptor.ofVoid(ADDRESS));
        isMultilingual = downcall(linker, lib, "whisper_is_multilingual", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        tokenize = downcall(linker, lib, "whisper_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        tokenEot = downcall(linker, lib, "whisper_token_eot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        langId = downcall(linker, lib, "whisper_lang_id", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        langStr = downcall(linker, lib, "whisper_lang_str", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        fullWithState = downcall(linker, lib, "whisper_full_with_state",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, FULL_PARAMS, ADDRESS, JAVA_INT));
        nSegments = downcall(linker, lib, "whisper_full_n_segments_from_state", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        segmentT0 = downcall(linker, lib, "whisper_full_get_segment_t0_from_state", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
        segmentT1 = downcall(linker, lib, "whisper_full_get_segment_t1_from_state", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
        segmentText = downcall(linker, lib, "whisper_full_get_segment_text_from_state", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        nTokens = downcall(linker, lib, "whisper_full_n_tokens_from_state", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        tokenData = downcall(linker, lib, "whisper_full_get_token_data_from_state",
                FunctionDescriptor.of(TOKEN_DATA, ADDRESS, JAVA_INT, JAVA_INT));
        tokenText = downcall(linker, lib, "whisper_full_get_token_text_from_state",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        fullLangId = downcall(linker, lib, "whisper_full_lang_id_from_state", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle logSet = downcall(linker, lib, "whisper_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(WhisperLibrary.class, "log",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = linker.upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            logSet.invokeExact(stub, MemorySegment.NULL);
            MemorySegment defaults = ((MemorySegment) fullDefaultParamsByRef.invokeExact(SAMPLING_GREEDY)).reinterpret(FULL_PARAMS.byteSize());
            greedyDefaults = Arena.global().allocate(FULL_PARAMS).copyFrom(defaults);
            freeParams.invokeExact(defaults);
        } catch (Throwable t) {
            throw new EngineException("whisper.cpp failed to initialise: " + t, t);
        }
        String mismatch = layoutMismatch(greedyDefaults);
        if (mismatch != null) {
            throw new EngineException("the bundled libwhisper is not whisper.cpp " + VERSION + "'s build (" + mismatch
                    + "): its parameter structs cannot be read safely");
        }
    }

    /** The process-wide binding; unpacks and loads the libraries on first use. */
    static synchronized WhisperLibrary get() throws EngineException {
        if (instance == null) {
            WhisperNatives.Bundle bundle = WhisperNatives.bundle();
            Path dir;
            try {
                dir = WhisperNatives.unpack(bundle, Path.of(System.getProperty("java.io.tmpdir"), "tailgate-natives"));
            } catch (IOException e) {
                throw new EngineException("cannot unpack whisper.cpp's libraries: " + e.getMessage(), e);
            }
            SymbolLookup whisper = null;
            for (WhisperNatives.Library lib : bundle.libraries()) {
                try {
                    // ggml first and kept loaded: libwhisper's dependency on it then resolves to this copy
                    whisper = SymbolLookup.libraryLookup(dir.resolve(lib.fileName()), Arena.global());
                } catch (IllegalArgumentException e) {
                    throw new EngineException("whisper.cpp's library " + dir.resolve(lib.fileName()) + " does not load on "
                            + bundle.platform() + ": " + e.getMessage(), e);
                }
            }
            instance = new WhisperLibrary(whisper);
        }
        return instance;
    }

    /**
     * Null when {@code p} (whisper_full_default_params(GREEDY)) reads as v1.7.1's defaults at our offsets; else the
     * first field that does not. The values are distinctive enough (16384, 0.01, 2.4, 0.6, 5, 100 at fixed places)
     * that a shifted or reordered struct cannot pass. Checked in order, the one pointer that is followed (language)
     * last: a struct the numbers already show to be different is never dereferenced.
     */
    static String layoutMismatch(MemorySegment p) {
        // plain reads, no Supplier lambdas: each lambda is one more hidden class in every Whisper worker's metaspace
        Object[][] numbers = {
                {"strategy", 0, p.get(JAVA_INT, offset("strategy"))},
                {"n_max_text_ctx", 16384, p.get(JAVA_INT, offset("n_max_text_ctx"))},
                {"no_context", true, p.get(JAVA_BOOLEAN, offset("no_context"))},
                {"print_progress", true, p.get(JAVA_BOOLEAN, offset("print_progress"))},
                {"print_timestamps", true, p.get(JAVA_BOOLEAN, offset("print_timestamps"))},
                {"token_timestamps", false, p.get(JAVA_BOOLEAN, offset("token_timestamps"))},
                {"thold_pt", 0.01f, p.get(JAVA_FLOAT, offset("thold_pt"))},
                {"thold_ptsum", 0.01f, p.get(JAVA_FLOAT, offset("thold_ptsum"))},
                {"suppress_blank", true, p.get(JAVA_BOOLEAN, offset("suppress_blank"))},
                {"max_initial_ts", 1.0f, p.get(JAVA_FLOAT, offset("max_initial_ts"))},
                {"length_penalty", -1.0f, p.get(JAVA_FLOAT, offset("length_penalty"))},
                {"temperature_inc", 0.2f, p.get(JAVA_FLOAT, offset("temperature_inc"))},
                {"entropy_thold", 2.4f, p.get(JAVA_FLOAT, offset("entropy_thold"))},
                {"logprob_thold", -1.0f, p.get(JAVA_FLOAT, offset("logprob_thold"))},
                {"no_speech_thold", 0.6f, p.get(JAVA_FLOAT, offset("no_speech_thold"))},
                {"greedy.best_of", 5, p.get(JAVA_INT, FULL_PARAMS.byteOffset(groupElement("greedy"), groupElement("best_of")))},
                {"beam_search.beam_size", -1,
                        p.get(JAVA_INT, FULL_PARAMS.byteOffset(groupElement("beam_search"), groupElement("beam_size")))},
                {"new_segment_callback", 0L, p.get(ADDRESS, offset("new_segment_callback")).address()},
                {"grammar_rules", 0L, p.get(ADDRESS, offset("grammar_rules")).address()},
                {"grammar_penalty", 100.0f, p.get(JAVA_FLOAT, offset("grammar_penalty"))}};
        for (Object[] n : numbers) {
            if (!n[1].equals(n[2])) return n[0] + " reads " + n[2] + ", expected " + n[1];
        }
        String language = cString(p.get(ADDRESS, offset("language")));
        return language.equals("en") ? null : "language reads " + language + ", expected en";
    }

    static long offset(String field) {
        return FULL_PARAMS.byteOffset(groupElement(field));
    }

    /**
     * Loads a ggml model without a default state (each job makes its own). A file whisper.cpp refuses, one with no
     * tensors (which it would take as an "empty model for testing" and transcribe nothing), and a vocabulary without
     * {@code " "} (its decoder looks that token up unchecked and would abort the process) are refused here, with the
     * reason whisper.cpp logged.
     */
    MemorySegment load(Path file) throws EngineException {
        List<String> log = new ArrayList<>();
        LOAD_LOG.set(log);
        MemorySegment context;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = ((MemorySegment) contextDefaultParamsByRef.invokeExact()).reinterpret(CONTEXT_PARAMS.byteSize());
            MemorySegment byValue = arena.allocate(CONTEXT_PARAMS).copyFrom(params);
            freeContextParams.invokeExact(params);
            byValue.set(JAVA_BOOLEAN, CONTEXT_PARAMS.byteOffset(groupElement("use_gpu")), false); // a CPU build anyway
            context = (MemorySegment) initFromFileNoState.invokeExact(arena.allocateFrom(file.toAbsolutePath().toString()), byValue);
        } catch (Throwable t) {
            throw new EngineException("whisper.cpp failed to load " + file + ": " + t, t);
        } finally {
            LOAD_LOG.remove();
        }
        if (context.equals(MemorySegment.NULL)) {
            throw new EngineException(file + " is not a ggml Whisper model whisper.cpp can load" + reason(log));
        }
        if (logged(log, "no tensors loaded")) {
            free(context);
            throw new EngineException(file + " is not a ggml Whisper model whisper.cpp can load: it holds no tensors");
        }
        if (tokenCount(context, " ") != 1) {
            free(context);
            throw new EngineException(file + " is not a ggml Whisper model whisper.cpp can load: its vocabulary has no \" \" token"
                    + " (whisper.cpp's decoder needs it)");
        }
        return context;
    }

    // loops, not streams: a worker loads no stream pipeline classes (nor their lambdas) for these two
    private static boolean logged(List<String> log, String text) {
        for (String line : log) {
            if (line.contains(text)) return true;
        }
        return false;
    }

    private static String reason(List<String> log) {
        String joined = String.join("; ", log);
        if (joined.isEmpty()) return "";
        StringBuilder b = new StringBuilder(": ");
        for (int i = 0, n = 0; i < joined.length() && n < MAX_LOAD_LOG_CHARS; i += Character.charCount(joined.codePointAt(i)), n++) {
            int c = joined.codePointAt(i);
            b.appendCodePoint(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }

    /** Called by libwhisper for each log line, on the thread that logs; must never throw. */
    private static void log(int level, MemorySegment text, MemorySegment userData) {
        try {
            List<String> capture = LOAD_LOG.get();
            if (capture == null || (level != LOG_WARN && level != LOG_ERROR)) return; // the rest is per-tensor noise
            String line = cString(text).strip();
            if (!line.isEmpty()) capture.add(line);
        } catch (Throwable ignored) {
            // an exception here would abort the process
        }
    }

    int tokenCount(MemorySegment context, String text) throws EngineException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tokens = arena.allocate(JAVA_INT, 8);
            return (int) tokenize.invokeExact(context, arena.allocateFrom(text), tokens, 8);
        } catch (Throwable t) {
            throw failure("whisper_tokenize", t);
        }
    }

    void free(MemorySegment context) {
        try {
            free.invokeExact(context);
        } catch (Throwable t) {
            throw new IllegalStateException("whisper_free failed", t);
        }
    }

    boolean multilingual(MemorySegment context) throws EngineException {
        try {
            return (int) isMultilingual.invokeExact(context) != 0;
        } catch (Throwable t) {
            throw failure("whisper_is_multilingual", t);
        }
    }

    /** Ids at or above it are special tokens (end of text, start of transcript, languages, tasks, timestamps). */
    int tokenEot(MemorySegment context) throws EngineException {
        try {
            return (int) tokenEot.invokeExact(context);
        } catch (Throwable t) {
            throw failure("whisper_token_eot", t);
        }
    }

    /** Whisper's id of an ISO 639-1 code or language name, -1 when it knows no such language. */
    int languageId(String language) throws EngineException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) langId.invokeExact(arena.allocateFrom(language));
        } catch (Throwable t) {
            throw failure("whisper_lang_id", t);
        }
    }

    /** The ISO 639-1 code of a language id, null when there is none. */
    String languageCode(int id) throws EngineException {
        try {
            MemorySegment s = (MemorySegment) langStr.invokeExact(id);
            return s.equals(MemorySegment.NULL) ? null : cString(s);
        } catch (Throwable t) {
            throw failure("whisper_lang_str", t);
        }
    }

    /** A fresh copy of the greedy defaults, to set fields of and pass to {@link #full}. */
    MemorySegment defaultParams(SegmentAllocator allocator) {
        return allocator.allocate(FULL_PARAMS).copyFrom(greedyDefaults);
    }

    /** A decoding state for one job; NULL when whisper.cpp could not allocate one. */
    MemorySegment newState(MemorySegment context) throws EngineException {
        try {
            return (MemorySegment) initState.invokeExact(context);
        } catch (Throwable t) {
            throw failure("whisper_init_state", t);
        }
    }

    void freeState(MemorySegment state) {
        try {
            freeState.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException("whisper_free_state failed", t);
        }
    }

    /** whisper_full_with_state: 0 on success. */
    int full(MemorySegment context, MemorySegment state, MemorySegment params, MemorySegment samples, int count) throws EngineException {
        try {
            return (int) fullWithState.invokeExact(context, state, params, samples, count);
        } catch (Throwable t) {
            throw failure("whisper_full_with_state", t);
        }
    }

    int segments(MemorySegment state) throws EngineException {
        try {
            return (int) nSegments.invokeExact(state);
        } catch (Throwable t) {
            throw failure("whisper_full_n_segments_from_state", t);
        }
    }

    /** Segment start, in 10 ms units from the start of the samples of the last {@link #full} call. */
    long segmentStart(MemorySegment state, int segment) throws EngineException {
        try {
            return (long) segmentT0.invokeExact(state, segment);
        } catch (Throwable t) {
            throw failure("whisper_full_get_segment_t0_from_state", t);
        }
    }

    long segmentEnd(MemorySegment state, int segment) throws EngineException {
        try {
            return (long) segmentT1.invokeExact(state, segment);
        } catch (Throwable t) {
            throw failure("whisper_full_get_segment_t1_from_state", t);
        }
    }

    String segmentText(MemorySegment state, int segment) throws EngineException {
        try {
            return cString((MemorySegment) segmentText.invokeExact(state, segment));
        } catch (Throwable t) {
            throw failure("whisper_full_get_segment_text_from_state", t);
        }
    }

    int tokens(MemorySegment state, int segment) throws EngineException {
        try {
            return (int) nTokens.invokeExact(state, segment);
        } catch (Throwable t) {
            throw failure("whisper_full_n_tokens_from_state", t);
        }
    }

    /** A token's id and, when the call had token_timestamps, its start and end in 10 ms units. */
    record Token(int id, long t0, long t1, byte[] text) {}

    /** The token's text as bytes: a token may hold part of a UTF-8 character, whole only with its neighbours. */
    Token token(MemorySegment context, MemorySegment state, int segment, int index) throws EngineException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = (MemorySegment) tokenData.invokeExact((SegmentAllocator) arena, state, segment, index);
            MemorySegment text = (MemorySegment) tokenText.invokeExact(context, state, segment, index);
            return new Token(data.get(JAVA_INT, TOKEN_DATA.byteOffset(groupElement("id"))),
                    data.get(JAVA_LONG, TOKEN_DATA.byteOffset(groupElement("t0"))),
                    data.get(JAVA_LONG, TOKEN_DATA.byteOffset(groupElement("t1"))),
                    cBytes(text));
        } catch (Throwable t) {
            throw failure("whisper_full_get_token_data_from_state", t);
        }
    }

    /** The language the last call decoded in (detected when it was asked for "auto"). */
    int languageOf(MemorySegment state) throws EngineException {
        try {
            return (int) fullLangId.invokeExact(state);
        } catch (Throwable t) {
            throw failure("whisper_full_lang_id_from_state", t);
        }
    }

    private static EngineException failure(String function, Throwable t) {
        return new EngineException(function + " failed: " + t, t);
    }

    static String cString(MemorySegment s) {
        return new String(cBytes(s), StandardCharsets.UTF_8);
    }

    static byte[] cBytes(MemorySegment s) {
        if (s.equals(MemorySegment.NULL)) return new byte[0];
        MemorySegment all = s.reinterpret(Long.MAX_VALUE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long i = 0; ; i++) {
            byte b = all.get(JAVA_BYTE, i);
            if (b == 0) return out.toByteArray();
            out.write(b);
        }
    }

    private static MethodHandle downcall(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) throws EngineException {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new EngineException(
                "the bundled libwhisper has no " + name + " (not whisper.cpp " + VERSION + ")"));
        return linker.downcallHandle(symbol, descriptor);
    }
}
