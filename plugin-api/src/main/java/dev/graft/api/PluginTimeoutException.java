package dev.graft.api;

import java.time.Duration;

/** A call ran past the wall-clock limit of its policy ({@code timeout}). */
public class PluginTimeoutException extends PluginException {

    private final Duration limit;

    public PluginTimeoutException(String pluginId, String attempted, Duration limit, Duration elapsed) {
        super(pluginId, attempted + " exceeded the timeout limit of " + format(limit) + " (stopped after "
                + format(elapsed) + ")", null);
        this.limit = limit;
    }

    /** The configured wall-clock limit. */
    public Duration limit() {
        return limit;
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms >= 1 ? ms + " ms" : d.toNanos() / 1000 + " µs";
    }
}
