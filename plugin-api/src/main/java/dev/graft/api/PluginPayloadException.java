package dev.graft.api;

/** An input or output payload exceeded its cap ({@code max-input-bytes} or {@code max-output-bytes}). */
public class PluginPayloadException extends PluginException {

    private final String knob;
    private final long limitBytes;
    private final long actualBytes;

    public PluginPayloadException(String pluginId, String knob, long limitBytes, long actualBytes, String attempted) {
        super(pluginId, attempted + " carried " + actualBytes + " bytes, over the " + knob + " limit of "
                + limitBytes + " bytes", null);
        this.knob = knob;
        this.limitBytes = limitBytes;
        this.actualBytes = actualBytes;
    }

    public String knob() {
        return knob;
    }

    public long limitBytes() {
        return limitBytes;
    }

    public long actualBytes() {
        return actualBytes;
    }
}
