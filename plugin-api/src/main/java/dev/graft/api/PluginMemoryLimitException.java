package dev.graft.api;

/**
 * The plugin asked for more memory than its policy allows ({@code max-memory}, or the vars cap
 * {@code max-var-bytes}). Linear memory, ABI buffers and vars all count against one memory cap.
 */
public class PluginMemoryLimitException extends PluginException {

    private final String knob;
    private final long limitBytes;
    private final long requestedBytes;

    public PluginMemoryLimitException(String pluginId, String knob, long limitBytes, long requestedBytes,
            String attempted) {
        this(pluginId, knob, limitBytes, requestedBytes, attempted, null);
    }

    public PluginMemoryLimitException(String pluginId, String knob, long limitBytes, long requestedBytes,
            String attempted, Throwable cause) {
        super(pluginId, attempted + " would hold " + requestedBytes + " bytes, over the " + knob + " limit of "
                + limitBytes + " bytes", cause);
        this.knob = knob;
        this.limitBytes = limitBytes;
        this.requestedBytes = requestedBytes;
    }

    /** The policy knob that refused: {@code max-memory} or {@code max-var-bytes}. */
    public String knob() {
        return knob;
    }

    public long limitBytes() {
        return limitBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
