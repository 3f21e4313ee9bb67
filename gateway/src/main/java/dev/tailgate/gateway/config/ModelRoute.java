package dev.tailgate.gateway.config;

import java.util.List;

/** A model id clients send ({@code alias}) and where it may go. */
public record ModelRoute(String alias, List<Target> targets, boolean fallback, boolean privateOnly) {}
