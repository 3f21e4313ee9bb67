package dev.tailgate.local.engine.audio;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.javacpp.Loader;

/**
 * Loads FFmpeg's natives (unpacked by JavaCPP from the platform jar) once, and keeps FFmpeg's own log to errors: its
 * informational lines would otherwise fill the worker log for every request.
 *
 * <p>Only the libraries audio needs are loaded: JavaCV's own {@code tryLoad} also loads libavdevice, which links
 * against PulseAudio and X11 and fails on a headless server (JavaCV ignores that failure; so do we, by not asking).
 */
public final class FFmpegNatives {
    private static volatile boolean loaded;

    private FFmpegNatives() {}

    /** Loads the libraries or says why they cannot be loaded on this machine. */
    public static synchronized void load() throws AudioException {
        if (loaded) return;
        try {
            Loader.load(avutil.class);
            Loader.load(swresample.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        } catch (Exception | LinkageError e) {
            throw new AudioException("FFmpeg natives do not load on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + ": " + e.getMessage(), e);
        }
        loaded = true;
    }

    /** Why FFmpeg cannot be used on this machine, or null when it loads. */
    public static String unavailableReason() {
        try {
            load();
            return null;
        } catch (AudioException e) {
            return e.getMessage();
        }
    }

    /** The FFmpeg version string, for doctor. */
    public static String version() throws AudioException {
        load();
        return avutil.av_version_info().getString();
    }
}
