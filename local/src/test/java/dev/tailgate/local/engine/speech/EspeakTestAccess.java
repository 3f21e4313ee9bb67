package dev.tailgate.local.engine.speech;

import java.util.List;

/** Lets tests outside this package ask what {@link EspeakNative} reports for a library that is not there. */
public final class EspeakTestAccess {
    private EspeakTestAccess() {}

    public static String missingReason(String libraryName) {
        return EspeakNative.missingReason(List.of(libraryName));
    }
}
