package dev.graft.host.abi;

import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The per-call log budget of one plugin instance ({@code max-log-bytes}): lines a plugin writes to
 * the host's log are admitted while the call's total stays within the budget; the rest are dropped,
 * never written, and counted, and when the call ends one notice line says how many were dropped. So a
 * plugin logging in a loop costs the host's log at most the budget per call, plus one line.
 * Used by one thread at a time, like its instance.
 */
public final class LogBudget {

    /** Knob name used in the notice. */
    public static final String MAX_LOG_BYTES = "max-log-bytes";

    private final String pluginId;
    private final Logger log;
    private final long maxBytes;
    private String export = "instantiation";
    private long writtenBytes;
    private long droppedLines;
    private long droppedBytes;

    /**
     * @param log where the notice goes (the plugin's own logger)
     * @param maxBytes bytes of log lines one call may write
     */
    public LogBudget(String pluginId, Logger log, long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException(MAX_LOG_BYTES + " must be positive, was " + maxBytes);
        }
        this.pluginId = pluginId;
        this.log = log;
        this.maxBytes = maxBytes;
    }

    /** Starts a call's budget. */
    public void beginCall(String export) {
        this.export = export;
        writtenBytes = 0;
        droppedLines = 0;
        droppedBytes = 0;
    }

    /**
     * Asks to write a line of {@code bytes} bytes (as written, after any cut). Returns false, and counts
     * the line (as {@code originalBytes}, its size before the cut) as dropped, when it does not fit.
     */
    public boolean admit(long bytes, long originalBytes) {
        if (droppedLines == 0 && bytes <= maxBytes - writtenBytes) {
            writtenBytes += bytes;
            return true;
        }
        // Once a line is dropped, later ones are too, so the log never shows a gap then more lines.
        droppedLines++;
        droppedBytes += originalBytes;
        return false;
    }

    /** Lines dropped in this call so far. */
    public long droppedLines() {
        return droppedLines;
    }

    /** Bytes (before any per-line cut) of the lines dropped in this call so far. */
    public long droppedBytes() {
        return droppedBytes;
    }

    /** Bytes written in this call so far. */
    public long writtenBytes() {
        return writtenBytes;
    }

    /** The budget per call. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Ends the call: writes the one notice about dropped lines, if any were dropped. */
    public void endCall() {
        if (droppedLines == 0) {
            return;
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable(ExtismKernel.MDC_PLUGIN, pluginId)) {
            log.warn("plugin '{}' exceeded {} ({} bytes per call) in '{}': {} log line(s) of {} bytes dropped",
                    pluginId, MAX_LOG_BYTES, maxBytes, export, droppedLines, droppedBytes);
        }
        droppedLines = 0;
        droppedBytes = 0;
    }
}
